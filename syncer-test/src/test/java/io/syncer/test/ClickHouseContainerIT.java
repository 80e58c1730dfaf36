package io.syncer.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A modern ClickHouse in a container: through {@link WithClickHouse}, CREATE TABLE, INSERT and SELECT count() over
 * raw HTTP; on a container of its own, the rows survive {@link ClickHouseServer#stop()} and
 * {@link ClickHouseServer#restart()} on the same address. Runs only in the {@code testcontainers} profile; without a
 * Docker engine it fails, it is never skipped.
 */
@WithClickHouse
@Timeout(600)
class ClickHouseContainerIT {

    @Test
    void createInsertCount(ClickHouseServer server) {
        assertTrue(server.isContainer(), "not a container: run with -Ptestcontainers or SYNCER_TESTCONTAINERS=clickhouse");
        assertFalse(server.isExternal());
        assertTrue(Integer.parseInt(server.version().split("\\.")[0]) >= 23, server.version());
        String table = ClickHouseServer.uniqueTableName("container");

        server.execute("CREATE TABLE " + table + " (id UInt64, name String) ENGINE = MergeTree ORDER BY id");
        server.execute("INSERT INTO " + table + " FORMAT TabSeparated\n1\ta\n2\tb\n3\tc\n");

        assertEquals("3", server.query("SELECT count() FROM " + table).strip());
    }

    @Test
    void rowsSurviveARestartOnTheSameAddress() {
        try (ClickHouseServer server = ClickHouseServer.startContainer()) {
            String url = server.httpUrl();
            server.execute("CREATE TABLE kept (id UInt64) ENGINE = MergeTree ORDER BY id");
            server.execute("INSERT INTO kept VALUES (1), (2)");

            server.stop();
            assertFalse(server.isRunning());
            server.restart();

            assertTrue(server.isRunning());
            assertEquals(url, server.httpUrl());
            assertEquals("2", server.query("SELECT count() FROM kept").strip());
        }
    }
}
