package io.syncer.sink.clickhouse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.clickhouse.client.api.Client;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.syncer.sink.SinkRecord;
import io.syncer.sink.SinkResult;
import io.syncer.test.ChdbServer;
import io.syncer.test.WithChdb;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the 18.16 server cannot show: deduplication tokens, {@code DateTime64} and {@code LowCardinality}, on the
 * ClickHouse 26.x engine (npm chdb) behind the test kit's <b>emulated</b> HTTP front ({@link ChdbServer}). The engine
 * is real; the HTTP protocol is our emulation, so nothing here is evidence about status codes, retries or
 * compression, only about what the engine stores. Read back through the front with {@code FORMAT TabSeparated}.
 */
@WithChdb
@Timeout(120)
@DisplayName("ClickHouse 26.x engine via an EMULATED HTTP protocol (chdb front)")
class ClickHouseModernEngineEmulatedIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Client client;

    @BeforeAll
    static void client(ChdbServer engine) {
        client = new Client.Builder().addEndpoint(engine.httpUrl() + "/").setUsername("default").setPassword("")
                .compressServerResponse(false).setMaxRetries(0).build();
    }

    @AfterAll
    static void close() {
        client.close();
    }

    private static List<SinkRecord<JsonNode>> records(String topic, int partition, long first, int n) {
        List<SinkRecord<JsonNode>> out = new ArrayList<>();
        for (long offset = first; offset < first + n; offset++) {
            JsonNode v = JSON.valueToTree(Map.of("ts", 1_700_000_000L + offset, "appid", "t" + (offset % 3),
                    "path", "/p/" + offset, "status", 200, "bytes", offset, "seq", offset));
            out.add(new SinkRecord<>(v, null, new ConsumerRecord<>(topic, partition, offset, new byte[0], new byte[0])));
        }
        return out;
    }

    private static List<SinkResult> write(ClickHouseSink<JsonNode> sink, List<SinkRecord<JsonNode>> batch) throws Exception {
        return sink.write(batch).toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    /**
     * The same insert twice (a retry after a timeout whose first try had landed): with tokens the server drops the
     * second; a new range of the same partition, and the same values from another partition, still go in.
     */
    @DisplayName("emulated protocol: a repeated insert is dropped by its deduplication token")
    @Test
    void aRepeatedInsertIsDroppedByItsDeduplicationToken(ChdbServer engine) throws Exception {
        String table = "dedup_" + System.nanoTime();
        engine.execute(AccessRows.ddl(table, false) + " SETTINGS non_replicated_deduplication_window = 1000");
        ClickHouseSink<JsonNode> sink = ClickHouseSink.<JsonNode>builder("ch", client).table(table)
                .rowBinary(AccessRows.COLUMNS, AccessRows.MAPPER).build();
        try {
            assertTrue(sink.usesDeduplicationTokens(), "the probe found the setting on 26.x");
            List<SinkRecord<JsonNode>> batch = records("logs", 0, 0, 100);
            write(sink, batch).forEach(r -> assertEquals(SinkResult.Status.OK, r.status()));
            write(sink, batch).forEach(r -> assertEquals(SinkResult.Status.OK, r.status(), "a dropped duplicate is a success"));
            assertEquals(100, engine.count(table), "the repeated insert was dropped");
            write(sink, records("logs", 0, 100, 50));
            assertEquals(150, engine.count(table), "a new range goes in");
            // the same row values from another partition: identical content, another token. The table's content
            // hash alone (non_replicated_deduplication_window) would drop them; the token decides, so they go in
            write(sink, records("logs", 1, 0, 100));
            assertEquals(250, engine.count(table), "the token, not the content, identifies an insert");
        } finally {
            sink.close();
        }
    }

    /**
     * A record retried into a later batch leaves a gap in an insert's offset range; the re-delivery after a crash
     * fills it. The two inserts share first and last offsets but not their rows, so the second must go in: a token
     * made of the range alone would have the server drop it, and the retried record with it.
     */
    @DisplayName("emulated protocol: an insert that fills a gap in an earlier range is not taken for it")
    @Test
    void anInsertThatFillsAGapIsNotDroppedAsADuplicate(ChdbServer engine) throws Exception {
        String table = "gap_" + System.nanoTime();
        engine.execute(AccessRows.ddl(table, false) + " SETTINGS non_replicated_deduplication_window = 1000");
        ClickHouseSink<JsonNode> sink = ClickHouseSink.<JsonNode>builder("ch", client).table(table)
                .rowBinary(AccessRows.COLUMNS, AccessRows.MAPPER).build();
        try {
            List<SinkRecord<JsonNode>> all = records("logs", 0, 0, 10);
            List<SinkRecord<JsonNode>> withGap = new ArrayList<>(all);
            withGap.remove(5);
            write(sink, withGap);
            assertEquals(9, engine.count(table));
            write(sink, all);
            assertEquals(List.of(List.of("19", "10")), engine.rows("SELECT count(), uniqExact(seq) FROM " + table),
                    "the re-delivery with offset 5 went in: nothing lost, duplicates countable");
        } finally {
            sink.close();
        }
    }

    /** Types a Kafka event table on a current server uses: DateTime64(3) and LowCardinality(String), both formats. */
    @DisplayName("emulated protocol: DateTime64(3) and LowCardinality(String) in RowBinary and JSONEachRow")
    @Test
    void modernTypesInBothFormats(ChdbServer engine) throws Exception {
        String table = "modern_" + System.nanoTime();
        engine.execute("CREATE TABLE " + table + " (at DateTime64(3), appid LowCardinality(String), ok Bool, seq UInt64)"
                + " ENGINE = MergeTree ORDER BY seq");
        Instant at = Instant.parse("2026-12-01T10:00:00.123Z");
        ClickHouseSink<JsonNode> binary = ClickHouseSink.<JsonNode>builder("ch", client).table(table)
                .rowBinary(List.of("at", "appid", "ok", "seq"), (record, row) -> row
                        .dateTime64(at.plusMillis(record.value().get("seq").asLong()), 3)
                        .string(record.value().get("appid").asText()).bool(true).uint64(record.value().get("seq").asLong()))
                .build();
        ClickHouseSink<JsonNode> json = ClickHouseSink.<JsonNode>builder("ch", client).table(table)
                .jsonEachRow(v -> Map.of("at", "2026-12-01 10:00:00.500", "appid", v.get("appid").asText(), "ok", false,
                        "seq", v.get("seq").asLong() + 1_000))
                .build();
        try {
            write(binary, records("t", 0, 0, 20)).forEach(r -> assertEquals(SinkResult.Status.OK, r.status(), String.valueOf(r)));
            write(json, records("t", 0, 0, 20)).forEach(r -> assertEquals(SinkResult.Status.OK, r.status(), String.valueOf(r)));
        } finally {
            binary.close();
            json.close();
        }
        assertEquals(List.of(List.of("20", "20", "3")), engine.rows(
                "SELECT countIf(ok), countIf(NOT ok), uniqExact(appid) FROM " + table));
        assertEquals(List.of(List.of("2026-12-01 10:00:00.123", "2026-12-01 10:00:00.142", "2026-12-01 10:00:00.500")),
                engine.rows("SELECT toString(minIf(at, ok)), toString(maxIf(at, ok)), toString(anyIf(at, NOT ok)) FROM "
                        + table), "milliseconds kept in RowBinary and JSONEachRow");
        assertEquals("LowCardinality(String)", engine.rows("SELECT toTypeName(appid) FROM " + table + " LIMIT 1").get(0).get(0));
    }
}
