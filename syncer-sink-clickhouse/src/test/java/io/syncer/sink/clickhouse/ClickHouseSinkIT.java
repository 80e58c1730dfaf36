package io.syncer.sink.clickhouse;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.clickhouse.client.api.Client;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.syncer.Syncer;
import io.syncer.consume.ConsumerGroupConfig;
import io.syncer.failure.DeadLetterHeaders;
import io.syncer.failure.DeadLetterPolicy;
import io.syncer.failure.RetryPolicy;
import io.syncer.produce.KafkaProducers;
import io.syncer.produce.KafkaProducersConfig;
import io.syncer.queue.OrderingMode;
import io.syncer.queue.QueueWorkerConfig;
import io.syncer.queue.RecordDecoder;
import io.syncer.sink.BatchPolicy;
import io.syncer.sink.Route;
import io.syncer.sink.Router;
import io.syncer.test.ChildJvm;
import io.syncer.test.ClickHouseServer;
import io.syncer.test.KafkaBroker;
import io.syncer.test.WithClickHouse;
import io.syncer.test.WithKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.function.LongFunction;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ClickHouse sink in a pipeline on the real broker, against a real ClickHouse server (Debian's 18.16 in a child
 * process, or {@code SYNCER_CLICKHOUSE_URL}). Every result is read back with raw HTTP {@code SELECT ... FORMAT
 * TabSeparated} without compression (exact counts and sums), dead letters with a separate consumer, offsets with
 * Admin; never through the client under test.
 */
@WithKafka
@WithClickHouse
@Timeout(300)
class ClickHouseSinkIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PARTITIONS = 4;
    private static Client client;

    @BeforeAll
    static void client(ClickHouseServer server) {
        client = new Client.Builder().addEndpoint(server.httpUrl() + "/").setUsername(server.user())
                .setPassword(server.password()).compressServerResponse(false).setMaxRetries(0).build();
    }

    @AfterAll
    static void close() {
        client.close();
    }

    /** 40 tenants, each to its own table: exact per-table counts and sums against what was produced. */
    @Test
    void fortyTenantsLandInTheirOwnTablesWithExactCountsAndSums(KafkaBroker broker, ClickHouseServer server) throws Exception {
        Run run = new Run(broker, "tenants");
        String prefix = run.tablePrefix();
        for (int t = 0; t < 40; t++) {
            server.execute(AccessRows.ddl(prefix + t, false));
        }
        Map<String, long[]> expected = run.produce(8_000, seq -> "t" + (seq % 3 == 0 ? seq % 4 : seq % 40));
        ClickHouseSink<JsonNode> sink = rowBinary().build();
        if (server.version().startsWith("18.")) {
            assertFalse(sink.usesDeduplicationTokens(), "18.x has no insert_deduplication_token: the probe says so");
        }
        try (Pipeline p = run.start(sink, (log, r) -> List.of(Route.to("ch", prefix + log.get("appid").asText().substring(1))))) {
            p.awaitCommitted();
        }
        for (int t = 0; t < 40; t++) {
            long[] e = expected.get("t" + t);
            List<List<String>> rows = server.rows("SELECT count(), sum(bytes), uniqExact(seq) FROM " + prefix + t);
            assertEquals(List.of(Long.toString(e[0]), Long.toString(e[1]), Long.toString(e[0])), rows.get(0), "table of t" + t);
        }
        assertEquals(0, run.deadLetters(0).size());
    }

    /** The server stopped for 20 s mid-run and started again: retried, nothing lost or dead-lettered. */
    @Test
    void aServerDownForTwentySecondsLosesNothing(KafkaBroker broker, ClickHouseServer server) throws Exception {
        Run run = new Run(broker, "outage");
        String table = run.tablePrefix() + "all";
        server.execute(AccessRows.ddl(table, false));
        Map<String, long[]> first = run.produce(5_000, seq -> "a");
        long maxHeap = 0;
        try (Pipeline p = run.start(rowBinary().table(table).build(), null)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> server.count(table) > 0);
            server.stop();
            Map<String, long[]> during = run.produceFrom(5_000, 5_000, seq -> "a");
            long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < until) {
                Runtime rt = Runtime.getRuntime();
                maxHeap = Math.max(maxHeap, rt.totalMemory() - rt.freeMemory());
                Thread.sleep(200);
            }
            assertEquals(0, run.deadLetters(0).size(), "nothing dead-lettered while the server is down");
            server.restart();
            p.awaitCommitted();
            first.get("a")[0] += during.get("a")[0];
            first.get("a")[1] += during.get("a")[1];
        }
        List<String> row = server.rows("SELECT count(), sum(bytes), uniqExact(seq) FROM " + table).get(0);
        long n = first.get("a")[0];
        assertEquals(List.of(Long.toString(n), Long.toString(first.get("a")[1]), Long.toString(n)), row,
                "every record inserted once the server was back");
        System.out.println("ClickHouse outage: 20 s down, rows=" + n + ", test JVM heap peak while down="
                + maxHeap / (1024 * 1024) + " MB");
        assertTrue(maxHeap < 512L * 1024 * 1024, "heap stayed bounded while the server was down: " + maxHeap);
    }

    /**
     * Rows whose values the server refuses for their columns are dead-lettered with the server's message, found by
     * splitting the insert; their neighbours in the same batches are inserted.
     */
    @Test
    void rowsThatDoNotFitTheirColumnsAreDeadLetteredAndTheirNeighboursInserted(KafkaBroker broker, ClickHouseServer server)
            throws Exception {
        Run run = new Run(broker, "misfit");
        String table = run.tablePrefix() + "json";
        server.execute("CREATE TABLE " + table + " (appid String, status UInt16, seq UInt64) ENGINE = MergeTree() ORDER BY seq");
        int bad = 0;
        long goodSum = 0;
        int good = 0;
        try (KafkaProducer<byte[], byte[]> producer = broker.newProducer()) {
            for (long seq = 0; seq < 1_000; seq++) {
                Map<String, Object> v = new LinkedHashMap<>();
                v.put("appid", "a");
                v.put("seq", seq);
                if (seq % 97 == 5) {
                    v.put("status", "not-a-number");
                    bad++;
                } else {
                    v.put("status", 200);
                    good++;
                    goodSum += seq;
                }
                producer.send(new ProducerRecord<>(run.topic, (int) (seq % PARTITIONS), null, JSON.writeValueAsBytes(v)));
            }
        }
        try (Pipeline p = run.start(ClickHouseSink.<JsonNode>builder("ch", client).table(table)
                .batchPolicy(BatchPolicy.builder().maxRecords(500).linger(Duration.ofMillis(100)).build()).build(), null)) {
            p.awaitCommitted();
        }
        assertEquals(List.of(Integer.toString(good), Long.toString(goodSum)), server.rows("SELECT count(), sum(seq) FROM " + table).get(0));
        List<ConsumerRecord<byte[], byte[]>> dead = run.deadLetters(bad);
        assertEquals(bad, dead.size(), "exactly the misfit rows are dead-lettered");
        for (ConsumerRecord<byte[], byte[]> r : dead) {
            assertTrue(new String(r.value(), StandardCharsets.UTF_8).contains("not-a-number"));
            String code = KafkaBroker.header(r, DeadLetterHeaders.DETAIL_PREFIX + "clickhouse.error.code");
            String message = KafkaBroker.header(r, DeadLetterHeaders.EXCEPTION_MESSAGE);
            assertTrue(code != null && !code.isEmpty() && !code.equals("RejectedBeforeInsert"), "the server's code: " + code);
            assertTrue(message.contains("Code: " + code), "the server's message: " + message);
            assertEquals("ch", KafkaBroker.header(r, DeadLetterHeaders.SINK));
        }
    }

    /** Tenant ids with quotes, backticks or ';' never reach SQL: their records fail with the reason, nothing else changes. */
    @Test
    void tenantIdsThatAreNotTableNamesNeverReachSql(KafkaBroker broker, ClickHouseServer server) throws Exception {
        Run run = new Run(broker, "inject");
        String prefix = run.tablePrefix();
        server.execute(AccessRows.ddl(prefix + "ok", false));
        String before = server.query("SHOW TABLES");
        List<String> evil = List.of("x'; DROP TABLE " + prefix + "ok; --", "x`y", "a;b", "a b", "x\"y");
        Map<String, long[]> expected = run.produce(500, seq -> seq % 10 < 5 ? evil.get((int) (seq % 5)) : "ok");
        try (Pipeline p = run.start(rowBinary().build(), (log, r) -> List.of(Route.to("ch", prefix + log.get("appid").asText())))) {
            p.awaitCommitted();
        }
        assertEquals(before, server.query("SHOW TABLES"), "no table created or dropped");
        assertEquals(expected.get("ok")[0], server.count(prefix + "ok"));
        long evilCount = evil.stream().mapToLong(e -> expected.get(e)[0]).sum();
        List<ConsumerRecord<byte[], byte[]>> dead = run.deadLetters((int) evilCount);
        assertEquals(evilCount, dead.size());
        for (ConsumerRecord<byte[], byte[]> r : dead) {
            assertTrue(KafkaBroker.header(r, DeadLetterHeaders.EXCEPTION_MESSAGE).contains("not a plain table name"));
        }
    }

    /**
     * One tenant's table is missing (it is created later): that tenant's records are held without dead letters and
     * their partitions' commits wait, while the other tenant's records are inserted; once the table exists they land.
     */
    @Test
    void aMissingTableHoldsOnlyItsTenantWithoutDeadLettersUntilItExists(KafkaBroker broker, ClickHouseServer server)
            throws Exception {
        Run run = new Run(broker, "missing");
        String present = run.tablePrefix() + "present";
        String later = run.tablePrefix() + "later";
        server.execute(AccessRows.ddl(present, false));
        Map<String, long[]> expected = run.produce(2_000, seq -> seq % 2 == 0 ? "present" : "later");
        try (Pipeline p = run.start(rowBinary().build(), (log, r) -> List.of(Route.to("ch", run.tablePrefix()
                + log.get("appid").asText())))) {
            String key = "ch/" + later;
            await().atMost(Duration.ofSeconds(30)).until(() -> p.syncer.health().sinkOutages().containsKey(key));
            await().atMost(Duration.ofSeconds(30)).until(() -> server.count(present) == expected.get("present")[0]);
            assertTrue(p.syncer.health().sinkOutages().get(key).reason().contains("60"),
                    p.syncer.health().sinkOutages().get(key).reason());
            assertFalse(p.syncer.health().isHealthy());
            assertEquals(1, p.syncer.health().sinkOutages().size(), "only the missing table is out: "
                    + p.syncer.health().sinkOutages().keySet());
            server.execute(AccessRows.ddl(later, false));
            p.awaitCommitted();
        }
        assertEquals(expected.get("later")[0], server.count(later));
        assertEquals(expected.get("present")[0], server.count(present));
        assertEquals(0, run.deadLetters(0).size(), "a missing table never floods the dead-letter topic");
    }

    /**
     * The pipeline in a child JVM, SIGKILLed twice mid-run and restarted: with the coordinate columns in a
     * ReplacingMergeTree, FINAL counts every record once; the raw count shows the re-inserted duplicates.
     */
    @Test
    void aSigkilledPipelineCountsEveryRecordOnceWithFinal(KafkaBroker broker, ClickHouseServer server, @TempDir Path dir)
            throws Exception {
        Run run = new Run(broker, "killed");
        String table = run.tablePrefix() + "replacing";
        server.execute(AccessRows.ddl(table, true));
        server.execute(AccessRows.ddl(table + "_log", false).replace(", seq UInt64)", ", seq UInt64, _topic String, _partition UInt32, _offset UInt64)"));
        int total = 30_000;
        Map<String, long[]> expected = run.produce(total, seq -> "a");
        // commits every 2 s, so a kill lands between an insert and the commit that would cover it
        String[] args = {broker.bootstrapServers(), run.topic, run.group, server.httpUrl() + "/", table, "2000"};
        for (int kill = 1; kill <= 2; kill++) {
            Process child = ChildJvm.start(ClickHousePipelineMain.class, dir, args);
            long target = Math.min(total, server.count(table) + 6_000);
            try {
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(20)).until(() -> server.count(table) >= target);
            } catch (RuntimeException e) {
                throw new AssertionError("child " + kill + " made no progress: " + Files.readString(dir.resolve("child.out")), e);
            } finally {
                child.destroyForcibly().waitFor();
            }
        }
        Process last = ChildJvm.start(ClickHousePipelineMain.class, dir, args);
        try {
            Map<TopicPartition, Long> end = broker.endOffsets(run.topic);
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                    .until(() -> end.equals(broker.committedOffsets(run.group)));
        } finally {
            last.destroyForcibly().waitFor();
        }
        long raw = server.count(table + "_log");
        List<String> distinct = server.rows("SELECT uniqExact(_topic, _partition, _offset) FROM " + table + "_log").get(0);
        List<String> once = server.rows("SELECT count(), sum(bytes) FROM " + table + " FINAL").get(0);
        System.out.println("ClickHouse SIGKILL x2: produced=" + total + " rows inserted=" + raw + " distinct records="
                + distinct.get(0) + " FINAL rows=" + once.get(0) + " duplicates=" + (raw - total));
        assertEquals(List.of(Long.toString(total)), distinct, "nothing lost");
        assertTrue(raw > total, "the kills re-inserted rows: " + raw);
        assertEquals(List.of(Long.toString(total), Long.toString(expected.get("a")[1])), once,
                "the ReplacingMergeTree with FINAL sees every record once");
    }

    // ---------------------------------------------------------------------------------------------------------

    private static ClickHouseSink.Builder<JsonNode> rowBinary() {
        return ClickHouseSink.<JsonNode>builder("ch", client).rowBinary(AccessRows.COLUMNS, AccessRows.MAPPER)
                .batchPolicy(BatchPolicy.builder().maxRecords(2_000).linger(Duration.ofMillis(100))
                        .unavailableBackoff(Duration.ofMillis(200), Duration.ofSeconds(1)).build());
    }

    private static Map<String, Object> value(long seq, String tenant) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("seq", seq);
        v.put("appid", tenant);
        v.put("path", "/p/" + (seq % 101));
        v.put("status", 200);
        v.put("bytes", 100 + seq % 1_000);
        v.put("ts", 1_700_000_000L + seq);
        return v;
    }

    /** One test's topic, group and dead-letter topic. */
    private static final class Run {
        final KafkaBroker broker;
        final String topic;
        final String group;
        final String dlt;

        Run(KafkaBroker broker, String name) {
            this.broker = broker;
            this.topic = KafkaBroker.uniqueName(name);
            this.group = topic + "-g";
            this.dlt = topic + ".dlt";
            broker.createTopic(topic, PARTITIONS);
            broker.createTopic(dlt, 1);
        }

        String tablePrefix() {
            return topic.replace('-', '_') + "_";
        }

        /** Produces records; returns per tenant {count, sum of bytes}. */
        Map<String, long[]> produce(int n, LongFunction<String> tenantOf) throws Exception {
            return produceFrom(0, n, tenantOf);
        }

        Map<String, long[]> produceFrom(long first, int n, LongFunction<String> tenantOf) throws Exception {
            Map<String, long[]> byTenant = new HashMap<>();
            try (KafkaProducer<byte[], byte[]> producer = broker.newProducer()) {
                List<Future<RecordMetadata>> sent = new ArrayList<>();
                for (long seq = first; seq < first + n; seq++) {
                    String tenant = tenantOf.apply(seq);
                    Map<String, Object> v = value(seq, tenant);
                    long[] agg = byTenant.computeIfAbsent(tenant, t -> new long[2]);
                    agg[0]++;
                    agg[1] += (Long) v.get("bytes");
                    sent.add(producer.send(new ProducerRecord<>(topic, (int) (seq % PARTITIONS), null, JSON.writeValueAsBytes(v))));
                }
                for (Future<RecordMetadata> f : sent) {
                    f.get();
                }
            }
            return byTenant;
        }

        Pipeline start(ClickHouseSink<JsonNode> sink, Router<JsonNode> router) {
            KafkaProducers producers = KafkaProducers.create(KafkaProducersConfig.builder()
                    .bootstrapServers(broker.bootstrapServers()).build());
            Syncer.Builder<JsonNode> b = Syncer.builder(RecordDecoder.json(JsonNode.class))
                    .consumer(ConsumerGroupConfig.builder().groupId(group).topics(topic)
                            .kafkaProperties(broker.clientProperties()).commitInterval(Duration.ofMillis(200)).build())
                    .worker(QueueWorkerConfig.builder().workers(2).ordering(OrderingMode.UNORDERED)
                            .retryPolicy(RetryPolicy.builder().maxAttempts(1_000).maxElapsed(Duration.ofMinutes(3))
                                    .initialBackoff(Duration.ofMillis(100)).maxBackoff(Duration.ofSeconds(2)).build())
                            .deadLetterPolicy(DeadLetterPolicy.toTopic(producers, dlt)).build())
                    .sink(sink);
            if (router != null) {
                b.router(router);
            }
            Syncer syncer = b.build();
            syncer.start();
            return new Pipeline(this, syncer, producers);
        }

        List<ConsumerRecord<byte[], byte[]>> deadLetters(int expected) {
            return broker.readAll(dlt, expected, Duration.ofSeconds(expected == 0 ? 3 : 20));
        }
    }

    /** A running pipeline and its dead-letter producer. */
    private static final class Pipeline implements AutoCloseable {
        final Run run;
        final Syncer syncer;
        final KafkaProducers producers;

        Pipeline(Run run, Syncer syncer, KafkaProducers producers) {
            this.run = run;
            this.syncer = syncer;
            this.producers = producers;
        }

        void awaitCommitted() throws Exception {
            run.broker.awaitCommitted(run.group, run.topic, Duration.ofSeconds(120));
        }

        @Override
        public void close() {
            try {
                syncer.close(Duration.ofSeconds(30));
            } finally {
                producers.close();
            }
        }
    }
}
