package io.syncer.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
@WithClickHouse
class ClickHouseExtensionIT {

    private static ClickHouseServer shared;
    private static String table;

    @BeforeAll
    static void createTable(ClickHouseServer server) {
        shared = server;
        table = ClickHouseServer.uniqueTableName("extension_it");
        server.execute("CREATE TABLE " + table + " (n UInt64) ENGINE = MergeTree() ORDER BY n");
    }

    @Test
    void injectsTheSharedServer(ClickHouseServer server) {
        assertSame(shared, server);
        assertTrue(server.isRunning());
        server.execute("INSERT INTO " + table + " VALUES (1), (2), (3)");
        assertEquals(3, server.count(table));
        assertEquals(List.of(List.of("6")), server.rows("SELECT sum(n) FROM " + table));
    }
}
