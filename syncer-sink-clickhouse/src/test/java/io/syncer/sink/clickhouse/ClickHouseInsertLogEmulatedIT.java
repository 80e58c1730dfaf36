package io.syncer.sink.clickhouse;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.clickhouse.client.api.Client;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.syncer.ConfigurationException;
import io.syncer.sink.SinkRecord;
import io.syncer.sink.SinkResult;
import io.syncer.test.ChdbServer;
import io.syncer.test.ChildJvm;
import io.syncer.test.KafkaBroker;
import io.syncer.test.WithChdb;
import io.syncer.test.WithKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The insert log ({@link ClickHouseSink.Builder#insertLog}): after a restart each record is in its table once,
 * raw count, no {@code FINAL}. Deduplication tokens need the modern engine, so these run on the ClickHouse 26.x
 * engine (npm chdb) behind the test kit's <b>emulated</b> HTTP front ({@link ChdbServer}): the engine and its
 * deduplication are real, the HTTP protocol is our emulation. Every count is read back through the front with
 * {@code FORMAT TabSeparated}, never through the sink.
 */
@WithKafka
@WithChdb
@Timeout(300)
@DisplayName("ClickHouse insert log on the 26.x engine via an EMULATED HTTP protocol (chdb front)")
class ClickHouseInsertLogEmulatedIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TopicPartition TP = new TopicPartition("logs", 0);
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

    private static String dedupTable(ChdbServer engine, String table) {
        engine.execute(AccessRows.ddl(table, false) + " SETTINGS non_replicated_deduplication_window = 10000");
        return table;
    }

    private static List<SinkRecord<JsonNode>> records(long first, long end) {
        List<SinkRecord<JsonNode>> out = new ArrayList<>();
        for (long offset = first; offset < end; offset++) {
            JsonNode v = JSON.valueToTree(Map.of("ts", 1_700_000_000L + offset, "appid", "t", "path", "/p/" + offset,
                    "status", 200, "bytes", offset, "seq", offset));
            out.add(new SinkRecord<>(v, null, new ConsumerRecord<>(TP.topic(), TP.partition(), offset, new byte[0], new byte[0])));
        }
        return out;
    }

    private static ClickHouseSink<JsonNode> sink(String table, String log, Duration replayWait) {
        return ClickHouseSink.<JsonNode>builder("ch", client).table(table).insertLog(log).replayWait(replayWait)
                .rowBinary(AccessRows.COLUMNS, AccessRows.MAPPER).build();
    }

    private static void assertAllOk(List<SinkResult> results) {
        results.forEach(r -> assertEquals(SinkResult.Status.OK, r.status(), String.valueOf(r)));
    }

    /** The batch's results, each deferred one waited for (as core does). */
    private static List<SinkResult> get(java.util.concurrent.CompletionStage<List<SinkResult>> stage) throws Exception {
        List<SinkResult> out = new ArrayList<>();
        for (SinkResult r : stage.toCompletableFuture().get(60, TimeUnit.SECONDS)) {
            out.add(r.status() == SinkResult.Status.DEFERRED ? r.later().toCompletableFuture().get(60, TimeUnit.SECONDS) : r);
        }
        return out;
    }

    /** A crash after the second insert landed but before it was logged done: the log row of its done mark is removed. */
    private static void forgetDone(ChdbServer engine, String log, long first) {
        engine.execute("ALTER TABLE " + log + " DELETE WHERE done = 1 AND first = " + first + " SETTINGS mutations_sync = 2");
        assertEquals(List.of(List.of("0")), engine.rows("SELECT count() FROM " + log + " WHERE done = 1 AND first = " + first));
    }

    /**
     * The restart's committed offset (50) lies inside a done insert (0-99) and before an unconfirmed one (100-199) that
     * had landed; the unconfirmed one comes back split over two batches. The done records are skipped, the unconfirmed
     * insert is gathered across both batches and repeated under its token, which the server drops: 200 rows, raw.
     */
    @DisplayName("emulated protocol: a restart skips inserts logged done and repeats the unconfirmed one under its token")
    @Test
    void aRestartSkipsDoneInsertsAndRepeatsTheUnconfirmedOneExactly(ChdbServer engine) throws Exception {
        String table = dedupTable(engine, "replay_" + System.nanoTime());
        String log = "ilog_" + System.nanoTime();
        ClickHouseSink<JsonNode> first = sink(table, log, Duration.ofSeconds(30));
        try {
            first.partitionAssigned(TP, 0);
            assertAllOk(get(first.write(records(0, 100))));
            assertAllOk(get(first.write(records(100, 200))));
        } finally {
            first.close();
        }
        assertEquals(200, engine.count(table));
        forgetDone(engine, log, 100);

        ClickHouseSink<JsonNode> restarted = sink(table, log, Duration.ofSeconds(30));
        try {
            restarted.partitionAssigned(TP, 50);
            List<SinkResult> a = restarted.write(records(50, 150)).toCompletableFuture().get(60, TimeUnit.SECONDS);
            for (int i = 0; i < a.size(); i++) {
                // the batch is answered at once, so the next can be written: done records OK, held ones deferred
                assertEquals(i < 50 ? SinkResult.Status.OK : SinkResult.Status.DEFERRED, a.get(i).status(), "record " + (50 + i));
            }
            Thread.sleep(300);
            assertFalse(a.get(50).later().toCompletableFuture().isDone(), "records 100-149 wait for the rest of their insert");
            assertAllOk(get(restarted.write(records(150, 200))));
            assertAllOk(get(CompletableFuture.completedFuture(a)));
            assertEquals(List.of(List.of("200", "200")), engine.rows("SELECT count(), uniqExact(seq) FROM " + table),
                    "the skipped records were not inserted again and the repeated insert was dropped by its token");
            assertAllOk(get(restarted.write(records(200, 210))));
            assertEquals(210, engine.count(table), "records after the logged ones go in as usual");
        } finally {
            restarted.close();
        }
    }

    /**
     * An unconfirmed insert whose records cannot all come again. Begun inside it (records before the committed offset
     * never come back): what can come is inserted as soon as it is there, under a new token. Its records not coming
     * within the replay wait: what came is inserted after the wait. Duplicates, counted; nothing lost.
     */
    @DisplayName("emulated protocol: an unconfirmed insert that cannot be gathered whole still goes in: never lost")
    @Test
    void anInsertThatCannotBeGatheredWholeStillGoesIn(ChdbServer engine) throws Exception {
        for (boolean straddled : new boolean[] {true, false}) {
            String table = dedupTable(engine, "partial_" + System.nanoTime());
            String log = "ilog_" + System.nanoTime();
            ClickHouseSink<JsonNode> first = sink(table, log, Duration.ofSeconds(30));
            try {
                first.partitionAssigned(TP, 0);
                assertAllOk(get(first.write(records(0, 100))));
            } finally {
                first.close();
            }
            forgetDone(engine, log, 0);
            ClickHouseSink<JsonNode> restarted = sink(table, log, Duration.ofMillis(500));
            try {
                restarted.partitionAssigned(TP, straddled ? 40 : 0);
                long start = System.nanoTime();
                assertAllOk(get(restarted.write(straddled ? records(40, 100) : records(0, 60))));
                long heldMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                if (straddled) {
                    assertTrue(heldMs < 400, "offsets before the committed one cannot come: no wait, held " + heldMs + " ms");
                } else {
                    assertTrue(heldMs >= 450, "held for the replay wait, " + heldMs + " ms");
                }
            } finally {
                restarted.close();
            }
            assertEquals(List.of(List.of("160", "100")), engine.rows("SELECT count(), uniqExact(seq) FROM " + table),
                    "60 records went in again under a new token: 60 duplicates, none lost (straddled=" + straddled + ")");
        }
    }

    /** The insert log needs deduplication tokens: asking for it with tokens off fails the build, saying why. */
    @Test
    void theInsertLogWithoutTokensFailsTheBuild() {
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> ClickHouseSink.<JsonNode>builder("ch", client)
                .table("t").insertLog("ilog").deduplicationTokens(false).rowBinary(AccessRows.COLUMNS, AccessRows.MAPPER).build());
        assertTrue(e.getMessage().contains("deduplication tokens"), e.getMessage());
    }

    /**
     * The pipeline in a child JVM with eight tenant tables and the insert log, SIGKILLed twice mid-run and restarted:
     * every table's raw count and sum are exact. The restarted children's logs show they met logged inserts.
     */
    @DisplayName("emulated protocol: a SIGKILLed pipeline with the insert log leaves exact raw counts")
    @Test
    void aSigkilledPipelineWithTheInsertLogLeavesExactRawCounts(KafkaBroker broker, ChdbServer engine, @TempDir Path dir)
            throws Exception {
        String topic = KafkaBroker.uniqueName("ilog");
        String group = topic + "-g";
        int partitions = 4;
        broker.createTopic(topic, partitions);
        String prefix = topic.replace('-', '_');
        int tenants = 8;
        int total = 16_000;
        Map<String, long[]> expected = new LinkedHashMap<>();
        for (int t = 0; t < tenants; t++) {
            dedupTable(engine, prefix + "_t" + t);
            expected.put(prefix + "_t" + t, new long[2]);
        }
        try (KafkaProducer<byte[], byte[]> producer = broker.newProducer()) {
            for (long seq = 0; seq < total; seq++) {
                String tenant = "t" + (seq * 7 % 13 % tenants);
                Map<String, Object> v = Map.of("seq", seq, "appid", tenant, "path", "/p/" + seq % 101, "status", 200,
                        "bytes", 100 + seq % 1_000, "ts", 1_700_000_000L + seq);
                long[] agg = expected.get(prefix + "_" + tenant);
                agg[0]++;
                agg[1] += 100 + seq % 1_000;
                producer.send(new ProducerRecord<>(topic, (int) (seq % partitions), null, JSON.writeValueAsBytes(v)));
            }
            producer.flush();
        }
        String log = prefix + "_insert_log";
        String[] args = {broker.bootstrapServers(), topic, group, engine.httpUrl() + "/", prefix, "1500", log};
        int replayed = 0;
        long skipped = 0;
        long repeated = 0;
        java.util.regex.Pattern met = java.util.regex.Pattern.compile("(\\d+) records already inserted .*, (\\d+) in \\d+ unconfirmed");
        for (int run = 1; run <= 3; run++) {
            final int kill = run;
            Process child = ChildJvm.start(ClickHousePipelineMain.class, dir, args);
            try {
                if (kill == 3) {
                    Map<TopicPartition, Long> end = broker.endOffsets(topic);
                    await().atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofMillis(500))
                            .until(() -> end.equals(broker.committedOffsets(group)));
                } else {
                    long target = Math.min(total - 2_000, totalRows(engine, expected) + 5_000);
                    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                            .until(() -> totalRows(engine, expected) >= target);
                }
            } catch (RuntimeException e) {
                throw new AssertionError("child " + kill + " made no progress: " + Files.readString(dir.resolve("child.out")), e);
            } finally {
                child.destroyForcibly().waitFor();
            }
            String out = Files.readString(dir.resolve("child.out"));
            java.util.regex.Matcher m = met.matcher(out);
            boolean any = false;
            while (m.find()) {
                any = true;
                skipped += Long.parseLong(m.group(1));
                repeated += Long.parseLong(m.group(2));
            }
            if (any) {
                replayed++;
            }
            out.lines().filter(l -> l.contains(" WARN ")).forEach(l -> System.out.println("child " + kill + ": " + l));
            assertFalse(out.contains(" ERROR "), out);
        }
        long raw = 0;
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            List<String> got = engine.rows("SELECT count(), sum(bytes), uniqExact(seq) FROM " + e.getKey()).get(0);
            raw += Long.parseLong(got.get(0));
            assertEquals(List.of(Long.toString(e.getValue()[0]), Long.toString(e.getValue()[1]), Long.toString(e.getValue()[0])),
                    got, "table " + e.getKey() + ": raw count, sum and distinct records exact");
        }
        System.out.println("ClickHouse insert log, SIGKILL x2: produced=" + total + " raw rows=" + raw
                + " restarts that met logged inserts=" + replayed + " records skipped as logged done=" + skipped
                + " records of unconfirmed inserts repeated=" + repeated);
        assertEquals(total, raw);
        assertTrue(replayed >= 1, "a restart found logged inserts past the committed offsets (else the kills proved nothing)");
    }

    private static long totalRows(ChdbServer engine, Map<String, long[]> tables) {
        StringBuilder sql = new StringBuilder("SELECT sum(c) FROM (");
        for (String t : tables.keySet()) {
            sql.append(sql.length() > 20 ? " UNION ALL " : "").append("SELECT count() AS c FROM ").append(t);
        }
        return Long.parseLong(engine.rows(sql.append(')').toString()).get(0).get(0));
    }
}
