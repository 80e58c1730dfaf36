package io.syncer.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.ServerException;
import com.clickhouse.client.api.insert.InsertResponse;
import com.clickhouse.client.api.insert.InsertSettings;
import com.clickhouse.client.api.query.GenericRecord;
import com.clickhouse.client.api.query.QueryResponse;
import com.clickhouse.data.ClickHouseFormat;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chdb front: ClickHouse's 26.x engine behind a test-only HTTP front that EMULATES the ClickHouse HTTP
 * protocol. The inserts go through ClickHouse's own client-v2 0.10.0; everything is read back with
 * {@link ChdbServer#rows(String)} (plain POST, TabSeparated, no compression). The tests named "front:" check the
 * emulation itself (compression framing, error mapping), not ClickHouse.
 */
@WithChdb
@DisplayName("chdb front (EMULATED ClickHouse HTTP protocol over the 26.x engine)")
class ChdbServerIT {
    private static final long BASE_MILLIS = 1_735_689_600_123L; // 2025-01-01T00:00:00.123Z
    private static final AtomicInteger TABLES = new AtomicInteger();
    /** A kind value with bytes that broke chdb's raw insert (0A 0A), a tab and a backslash. */
    private static final String AWKWARD = "line\n\nbreak\ttab\\slash";

    private static ChdbServer server;
    private static Client client;

    @BeforeAll
    static void connect(ChdbServer shared) {
        server = shared;
        client = clientBuilder(UnaryOperator.identity()).compressServerResponse(false).build();
    }

    @AfterAll
    static void disconnect() {
        if (client != null) {
            client.close();
        }
    }

    @Test
    @DisplayName("the engine is ClickHouse 26.x")
    void engineIsModern() {
        assertTrue(server.version().startsWith("26."), server.version());
        assertTrue(server.httpUrl().startsWith("http://127.0.0.1:"), server.httpUrl());
    }

    @Test
    @DisplayName("RowBinary inserts through client-v2 are deduplicated by insert_deduplication_token")
    void deduplicationTokenDropsARepeatedInsert() throws Exception {
        String table = createEventsTable();
        byte[] rows = rowBinary(0, 10);

        assertEquals(10, insertRowBinary(table, rows, "tok-1"), "written_rows of the first insert");
        assertEquals(10, server.count(table));
        assertEquals(List.of(List.of("10", "45", Long.toString(10 * BASE_MILLIS + 45), "10")),
                server.rows("SELECT count(), sum(n), sum(toUnixTimestamp64Milli(ts)), uniqExact(kind) FROM " + table));

        insertRowBinary(table, rows, "tok-1");
        assertEquals(10, server.count(table), "the same token again: deduplicated");

        insertRowBinary(table, rows, "tok-2");
        assertEquals(List.of(List.of("20", "90")), server.rows("SELECT count(), sum(n) FROM " + table));

        // other rows under an old token: only the token (not a hash of the data) can make the engine drop them
        insertRowBinary(table, rowBinary(100, 110), "tok-1");
        assertEquals(List.of(List.of("20", "90")), server.rows("SELECT count(), sum(n) FROM " + table),
                "other rows with a used token: deduplicated by the token");
        insertRowBinary(table, rowBinary(100, 110), "tok-3");
        assertEquals(30, server.count(table));

        List<List<String>> first = server.rows("SELECT n, toUnixTimestamp64Milli(ts), kind, toTypeName(ts), "
                + "toTypeName(kind) FROM " + table + " WHERE n = 3 ORDER BY n LIMIT 1");
        assertEquals(List.of(List.of("3", Long.toString(BASE_MILLIS + 3), AWKWARD, "DateTime64(3)",
                "LowCardinality(String)")), first);
        assertEquals(List.of(List.of("")), server.rows("SELECT getSetting('insert_deduplication_token')"),
                "a URL setting lasts for one request only");
    }

    @Test
    @DisplayName("JSONEachRow inserts through client-v2 with a column list")
    void jsonEachRowInsert() throws Exception {
        String table = createEventsTable();
        String json = "{\"n\":1,\"kind\":\"alpha\",\"ts\":\"2025-01-01 00:00:00.001\"}\n"
                + "{\"n\":2,\"kind\":\"beta\",\"ts\":\"2025-01-01 00:00:00.002\"}\n"
                + "{\"n\":3,\"kind\":\"alpha\",\"ts\":\"2025-01-01 00:00:00.003\"}\n";
        try (InsertResponse response = client.insert(table, List.of("n", "kind", "ts"),
                new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), ClickHouseFormat.JSONEachRow,
                new InsertSettings()).get(30, TimeUnit.SECONDS)) {
            assertEquals(3, response.getWrittenRows());
        }
        assertEquals(List.of(List.of("1", "alpha", "1"), List.of("2", "beta", "2"), List.of("3", "alpha", "3")),
                server.rows("SELECT n, kind, toUnixTimestamp64Milli(ts) % 1000 FROM " + table + " ORDER BY n"));
    }

    @Test
    @DisplayName("a SELECT ... FORMAT TabSeparated through client-v2 without compression returns the plain body")
    @SuppressWarnings("try") // QueryResponse.close() declares Exception
    void tabSeparatedSelectThroughClient() throws Exception {
        String table = createEventsTable();
        insertRowBinary(table, rowBinary(0, 3), "tsv");
        try (QueryResponse response = client.query("SELECT n, kind FROM " + table + " WHERE n < 2 ORDER BY n "
                + "FORMAT TabSeparated").get(30, TimeUnit.SECONDS)) {
            String body = new String(response.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals("0\tkind-0\n1\tkind-1\n", body);
        }
    }

    @Test
    @DisplayName("front: client-v2 with default compression (compress=1 responses) and LZ4 request bodies")
    void frontSpeaksNativeCompression() throws Exception {
        String table = createEventsTable();
        try (Client compressing = clientBuilder(b -> b.compressClientRequest(true)).build()) {
            // 5000 rows: a body of several LZ4 blocks with back-references, checked by CityHash128
            try (InsertResponse response = compressing.insert(table, List.of("ts", "kind", "n"),
                    new ByteArrayInputStream(rowBinary(0, 5000)), ClickHouseFormat.RowBinary,
                    new InsertSettings()).get(30, TimeUnit.SECONDS)) {
                assertEquals(5000, response.getWrittenRows());
            }
            assertEquals(List.of(List.of("5000", Long.toString(4999L * 5000 / 2))),
                    server.rows("SELECT count(), sum(n) FROM " + table));
            List<GenericRecord> records = compressing.queryAll("SELECT n, kind, ts FROM " + table
                    + " WHERE n IN (3, 4) ORDER BY n");
            assertEquals(2, records.size());
            assertEquals(3L, records.get(0).getLong("n"));
            assertEquals(AWKWARD, records.get(0).getString("kind"));
            assertEquals(BASE_MILLIS + 4, records.get(1).getInstant("ts").toEpochMilli());
        }
    }

    @Test
    @DisplayName("front: errors carry ClickHouse's code and an approximated HTTP status")
    void frontMapsErrors() {
        ServerException missing = serverException(() -> client.query("SELECT * FROM no_such_table")
                .get(30, TimeUnit.SECONDS).close());
        assertEquals(60, missing.getCode());
        assertEquals(404, missing.getTransportProtocolCode());
        IllegalStateException syntax = assertThrows(IllegalStateException.class, () -> server.query("SELEC 1"));
        assertTrue(syntax.getMessage().contains("HTTP 400") && syntax.getMessage().contains("Code: 62."),
                syntax.getMessage());
    }

    @Test
    @DisplayName("front: an unknown URL setting is a 404 and leaves no earlier setting behind")
    void frontRejectsUnknownSettingsWithoutLeaks() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(server.httpUrl() + "/?insert_deduplication_token=leak&no_such_setting=1"))
                .POST(HttpRequest.BodyPublishers.ofString("SELECT 1")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, response.statusCode(), response.body());
        assertEquals("115", response.headers().firstValue("X-ClickHouse-Exception-Code").orElse(null));
        assertTrue(response.body().startsWith("Code: 115. DB::Exception: "), response.body());
        assertEquals(List.of(List.of("")), server.rows("SELECT getSetting('insert_deduplication_token')"));
    }

    @Test
    @DisplayName("a front that cannot load chdb fails start() with its output, and leaves nothing behind")
    void brokenInstallFailsWithTheOutputTail(@TempDir Path modules) throws Exception {
        Path fake = Files.createDirectories(modules.resolve("node_modules/chdb"));
        Files.writeString(fake.resolve("package.json"), "{\"name\": \"chdb\", \"main\": \"missing.js\"}");
        Path node = ChdbServer.findNode(System.getenv("PATH"));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ChdbServer.start(node, modules));
        assertTrue(e.getMessage().contains("exited with code 1 before it answered /ping")
                && e.getMessage().contains("Cannot find module"), e.getMessage());
    }

    private static Client.Builder clientBuilder(UnaryOperator<Client.Builder> customizer) {
        return customizer.apply(new Client.Builder()
                .addEndpoint(server.httpUrl() + "/")
                .setUsername("default")
                .setPassword(""));
    }

    private static String createEventsTable() {
        String table = "events_" + TABLES.incrementAndGet();
        server.execute("CREATE TABLE " + table + " (ts DateTime64(3), kind LowCardinality(String), n UInt64) "
                + "ENGINE = MergeTree ORDER BY (ts, n) SETTINGS non_replicated_deduplication_window = 100");
        return table;
    }

    private static long insertRowBinary(String table, byte[] rows, String token) throws Exception {
        try (InsertResponse response = client.insert(table, List.of("ts", "kind", "n"),
                new ByteArrayInputStream(rows), ClickHouseFormat.RowBinary,
                new InsertSettings().setDeduplicationToken(token)).get(30, TimeUnit.SECONDS)) {
            return response.getWrittenRows();
        }
    }

    /** Rows n = from .. to-1: ts = BASE_MILLIS + n (DateTime64(3) is an Int64 of milliseconds), kind, n. */
    private static byte[] rowBinary(int from, int to) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int n = from; n < to; n++) {
            writeLong(out, BASE_MILLIS + n);
            byte[] kind = (n == 3 ? AWKWARD : "kind-" + n).getBytes(StandardCharsets.UTF_8);
            writeVarInt(out, kind.length);
            out.write(kind, 0, kind.length);
            writeLong(out, n);
        }
        return out.toByteArray();
    }

    private static void writeLong(ByteArrayOutputStream out, long value) {
        for (int i = 0; i < 8; i++) {
            out.write((int) (value >>> (8 * i)) & 0xff);
        }
    }

    private static void writeVarInt(ByteArrayOutputStream out, int value) {
        int rest = value;
        while ((rest & ~0x7f) != 0) {
            out.write((rest & 0x7f) | 0x80);
            rest >>>= 7;
        }
        out.write(rest);
    }

    private interface Action {
        void run() throws Exception;
    }

    /** The ServerException somewhere in the cause chain of what {@code action} throws. */
    private static ServerException serverException(Action action) {
        Exception thrown = assertThrows(Exception.class, action::run);
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = thrown; t != null && !chain.contains(t); t = t.getCause()) {
            chain.add(t);
            if (t instanceof ServerException) {
                return (ServerException) t;
            }
        }
        throw new AssertionError("no ServerException in " + chain, thrown);
    }
}
