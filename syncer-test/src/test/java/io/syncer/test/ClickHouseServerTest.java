package io.syncer.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClickHouseServerTest {

    @Test
    void parsesTabSeparatedRowsAndUndoesItsEscapes() {
        assertEquals(List.of(), TabSeparated.parse(""));
        assertEquals(List.of(List.of("")), TabSeparated.parse("\n"));
        assertEquals(List.of(List.of("1", "a"), List.of("2", "")), TabSeparated.parse("1\ta\n2\t\n"));
        assertEquals(List.of(List.of("a\tb\nc\\d", "e'\r\0\b\f")),
                TabSeparated.parse("a\\tb\\nc\\\\d\te\\'\\r\\0\\b\\f\n"));
        assertEquals(List.of(List.of("no line feed")), TabSeparated.parse("no line feed"));
    }

    @Test
    void aBareBackslashNIsNullButAnEscapedOneIsText() {
        assertEquals(List.of(Arrays.asList(null, "\\N", "x\\N", null)),
                TabSeparated.parse("\\N\t\\\\N\tx\\\\N\t\\N\n"));
        assertEquals(List.of(Arrays.asList("Nope")), TabSeparated.parse("\\Nope\n"));
    }

    @Test
    void findsClickHouseServerThenTheMultiCallBinary(@TempDir Path bin) throws Exception {
        IllegalStateException missing = assertThrows(IllegalStateException.class,
                () -> ClickHouseServer.serverCommand(bin.toString(), List.of()));
        assertTrue(missing.getMessage().startsWith(
                "clickhouse-server is not installed: apt-get install -y clickhouse-server"), missing.getMessage());

        Path multiCall = executable(bin.resolve("clickhouse"));
        assertEquals(List.of(multiCall.toString(), "server"), ClickHouseServer.serverCommand(null, List.of(bin)));
        Path server = executable(bin.resolve("clickhouse-server"));
        assertEquals(List.of(server.toString()), ClickHouseServer.serverCommand("/nonexistent:" + bin, List.of()));
    }

    @Test
    void anExternalHandleCannotBeStoppedAndHidesItsPassword() {
        try (ClickHouseServer server = ClickHouseServer.external("http://127.0.0.1:8123/", "writer", "s3cret")) {
            assertTrue(server.isExternal());
            assertEquals("http://127.0.0.1:8123", server.httpUrl());
            assertEquals(8123, server.httpPort());
            assertEquals("writer", server.user());
            assertEquals("s3cret", server.password());
            assertFalse(server.toString().contains("s3cret"), server.toString());
            assertThrows(UnsupportedOperationException.class, server::stop);
            assertThrows(UnsupportedOperationException.class, server::restart);
            assertThrows(UnsupportedOperationException.class, server::tcpPort);
        }
        assertEquals(80, ClickHouseServer.external("http://clickhouse", "default", "").httpPort());
        assertThrows(IllegalArgumentException.class, () -> ClickHouseServer.external("ftp://h:1", "default", ""));
        assertThrows(IllegalArgumentException.class, () -> ClickHouseServer.external("http://h:1/?x=1", "default", ""));
        assertThrows(IllegalArgumentException.class, () -> ClickHouseServer.external("http://u:p@h:1", "default", ""));
        assertThrows(IllegalArgumentException.class, () -> ClickHouseServer.external("http://h:1", " ", ""));
    }

    @Test
    void uniqueTableNamesAreIdentifiers() {
        String name = ClickHouseServer.uniqueTableName("orders");
        assertTrue(name.matches("orders_\\d+_[0-9a-f]{6}"), name);
        assertFalse(name.equals(ClickHouseServer.uniqueTableName("orders")));
        assertThrows(IllegalArgumentException.class, () -> ClickHouseServer.uniqueTableName("1x"));
        assertThrows(IllegalArgumentException.class, () -> ClickHouseServer.uniqueTableName("a-b"));
    }

    private static Path executable(Path file) throws Exception {
        Files.writeString(file, "#!/bin/sh\n");
        assertTrue(file.toFile().setExecutable(true));
        return file;
    }
}
