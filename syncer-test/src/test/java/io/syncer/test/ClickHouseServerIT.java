package io.syncer.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class ClickHouseServerIT {

    private static final String TABLE = "t";

    @Test
    void dataSurvivesAStopAndRestartAndCloseDeletesTheDirectory() {
        Path directory;
        try (ClickHouseServer server = ClickHouseServer.start()) {
            directory = server.directory();
            assertTrue(Files.isDirectory(directory));
            assertFalse(server.isExternal());
            assertTrue(server.isRunning());
            assertEquals("http://127.0.0.1:" + server.httpPort(), server.httpUrl());
            assertEquals("default", server.user());
            assertEquals("", server.password());
            assertFalse(server.version().isEmpty());
            assertTrue(server.version().matches("\\d+\\.\\d+.*"), server.version());

            server.execute("CREATE TABLE " + TABLE + " (ts DateTime, s String, n UInt64) ENGINE = MergeTree() "
                    + "PARTITION BY toYYYYMM(ts) ORDER BY (ts, n)");
            server.execute("INSERT INTO " + TABLE + " VALUES ('2024-01-01 00:00:00', 'a', 1), "
                    + "('2024-01-31 23:59:59', 'b', 2), ('2024-02-01 00:00:00', 'c', 39)");
            assertEquals(3, server.count(TABLE));
            assertEquals(List.of(List.of("3", "42", "2")),
                    server.rows("SELECT count(), sum(n), uniqExact(toYYYYMM(ts)) FROM " + TABLE));
            assertEquals(List.of(List.of("2024-01-01 00:00:00", "a", "1"), List.of("2024-01-31 23:59:59", "b", "2"),
                    List.of("2024-02-01 00:00:00", "c", "39")), server.rows("SELECT * FROM " + TABLE + " ORDER BY n"));

            String awkward = "tab\there\nline\\back\rslash'quote";
            server.execute("INSERT INTO " + TABLE + " VALUES ('2024-03-01 00:00:00', '"
                    + awkward.replace("\\", "\\\\").replace("'", "\\'").replace("\t", "\\t").replace("\n", "\\n")
                            .replace("\r", "\\r") + "', 100)");
            assertEquals(List.of(List.of(awkward, "")), server.rows("SELECT s, '' FROM " + TABLE + " WHERE n = 100"));
            // TabSeparated data in the body after the statement, escaped as the format requires
            server.execute("INSERT INTO " + TABLE + " FORMAT TabSeparated\n2024-03-02 00:00:00\tx\\ty\t200\n");
            assertEquals(List.of(List.of("x\ty")), server.rows("SELECT s FROM " + TABLE + " WHERE n = 200"));
            assertEquals(5, server.count(TABLE));

            ClickHouseServer.QueryException missing =
                    assertThrows(ClickHouseServer.QueryException.class, () -> server.count("missing_table"));
            assertEquals(404, missing.statusCode());
            assertEquals(OptionalInt.of(60), missing.errorCode());

            int httpPort = server.httpPort();
            server.stop();
            assertFalse(server.isRunning());
            assertThrows(IllegalStateException.class, () -> server.count(TABLE));
            server.stop(); // idempotent

            server.restart();
            assertTrue(server.isRunning());
            assertEquals(httpPort, server.httpPort());
            assertEquals(5, server.count(TABLE));
            assertEquals(List.of(List.of("342")), server.rows("SELECT sum(n) FROM " + TABLE));
            assertEquals(List.of(List.of(awkward)), server.rows("SELECT s FROM " + TABLE + " WHERE n = 100"));
        }
        assertFalse(Files.exists(directory), directory + " still exists");
    }
}
