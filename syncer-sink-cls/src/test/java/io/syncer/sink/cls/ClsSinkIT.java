package io.syncer.sink.cls;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.syncer.Syncer;
import io.syncer.consume.ConsumerGroupConfig;
import io.syncer.consume.GroupHealth;
import io.syncer.failure.DeadLetterHeaders;
import io.syncer.failure.DeadLetterPolicy;
import io.syncer.failure.RetryPolicy;
import io.syncer.produce.KafkaProducers;
import io.syncer.produce.KafkaProducersConfig;
import io.syncer.queue.OrderingMode;
import io.syncer.queue.QueueWorkerConfig;
import io.syncer.queue.RecordDecoder;
import io.syncer.sink.BatchPolicy;
import io.syncer.sink.Router;
import io.syncer.sink.SinkOutage;
import io.syncer.test.ClsEndpoint;
import io.syncer.test.ChildJvm;
import io.syncer.test.ClsLog;
import io.syncer.test.KafkaBroker;
import io.syncer.test.WithCls;
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
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLS sink on the real Tencent SDK, in a pipeline on the real broker, against {@link ClsEndpoint}: a local CLS
 * that checks every request's signature and decodes its body independently of the SDK. Every result is read back
 * from the endpoint's store (never the sink's counters), dead letters with a separate consumer, offsets with Admin.
 * Each produced value carries a sequence number, so loss and duplicates are counted per record.
 */
@WithKafka
@WithCls
@Timeout(300)
class ClsSinkIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PARTITIONS = 4;

    /** The sink timeouts are process-wide SDK statics: every test sets them, the stall test shorter. */
    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(10);

    @AfterEach
    void clean(ClsEndpoint endpoint) {
        endpoint.clearFaults();
        endpoint.allowAnyTopic();
        endpoint.reset();
    }

    /** 50 tenants, each to its own topic: every record lands in exactly its tenant's topic, once; offsets committed. */
    @Test
    void fiftyTenantsEachLandInTheirOwnTopic(KafkaBroker broker, ClsEndpoint endpoint) throws Exception {
        Run run = new Run(broker, "tenants");
        Map<String, String> topics = new LinkedHashMap<>();
        for (int t = 0; t < 50; t++) {
            topics.put("t" + t, "topic-" + t + "-" + run.topic.hashCode());
        }
        endpoint.restrictTopics(topics.values());
        ClsResources tenants = ClsResources.of(topics);
        Map<String, Set<Long>> expected = run.produce(5_000, seq -> "t" + (seq % 50 < 20 ? seq % 5 : seq % 50));
        try (Pipeline p = run.start(sink(endpoint).build(), (log, r) -> List.of(tenants.route("cls", tenant(log))))) {
            p.awaitCommitted();
        }
        for (Map.Entry<String, String> e : topics.entrySet()) {
            List<ClsLog> logs = endpoint.logs(e.getValue());
            Set<Long> seqs = seqs(logs);
            assertEquals(expected.getOrDefault(e.getKey(), Set.of()), seqs, "topic of tenant " + e.getKey());
            assertEquals(seqs.size(), logs.size(), "no duplicates in " + e.getKey() + "'s topic without a fault");
            for (ClsLog log : logs) {
                assertEquals(e.getKey(), log.get("appid"), "only the tenant's own logs in its topic");
                assertEquals(Long.parseLong(log.get("ts")), log.time(), "the log time comes from the ts field, in ms");
                assertFalse(log.source() == null || log.source().isBlank(), "sourceIp always sent");
            }
        }
        assertEquals(5_000, endpoint.logCount());
        assertEquals(0, run.deadLetters(0).size());
    }

    /** Three 500s, then a 30 s window of 429s: retried by core, nothing dead-lettered, nothing lost. */
    @Test
    void serverErrorsAndAThirtySecondWindowOf429sAreRetriedWithoutLoss(KafkaBroker broker, ClsEndpoint endpoint) throws Exception {
        Run run = new Run(broker, "throttled");
        Map<String, Set<Long>> expected = run.produce(2_000, seq -> "a");
        endpoint.failNext(3, 500).failFor(Duration.ofSeconds(30), 429);
        long started = System.nanoTime();
        try (Pipeline p = run.start(sink(endpoint).topic("topic-a").build(), null)) {
            p.awaitCommitted();
        }
        long seconds = Duration.ofNanos(System.nanoTime() - started).toSeconds();
        long throttled = endpoint.requests().stream().filter(r -> r.status() == 429).count();
        long failed = endpoint.requests().stream().filter(r -> r.status() == 500).count();
        assertEquals(3, failed, "the three scripted 500s were sent and answered");
        assertTrue(throttled >= 5, "several rounds of 429 within the window: " + throttled);
        assertTrue(seconds >= 29, "nothing could land before the window closed: " + seconds + " s");
        assertEquals(expected.get("a"), seqs(endpoint.logs("topic-a")), "every record arrived");
        assertEquals(0, run.deadLetters(0).size(), "throttling is never dead-lettered");
    }

    /**
     * The endpoint stalls requests beyond the SDK's read timeout and stores them afterwards: the timed-out requests
     * are sent again, so some records arrive twice; they are counted, and none is lost.
     */
    @Test
    void aStalledEndpointDuplicatesRecordsButLosesNone(KafkaBroker broker, ClsEndpoint endpoint) throws Exception {
        Run run = new Run(broker, "stalled");
        Map<String, Set<Long>> expected = run.produce(1_000, seq -> "a");
        endpoint.stallNext(2, Duration.ofSeconds(3));
        try (Pipeline p = run.start(sink(endpoint).topic("topic-a").httpTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(1))
                .batchPolicy(BatchPolicy.builder().maxRecords(100).linger(Duration.ofMillis(50)).build()).build(), null)) {
            p.awaitCommitted();
            // the stalled copies are stored when their stall ends, after the retries landed
            await().atMost(Duration.ofSeconds(10)).until(() -> endpoint.heldRequests() == 0);
        } finally {
            sink(endpoint).build().close(); // restores the process-wide timeouts for the other tests
        }
        List<ClsLog> logs = endpoint.logs("topic-a");
        int duplicates = logs.size() - seqs(logs).size();
        System.out.println("CLS stall: stored=" + logs.size() + " distinct=" + seqs(logs).size() + " duplicates=" + duplicates);
        assertEquals(expected.get("a"), seqs(logs), "nothing lost");
        assertTrue(duplicates > 0 && duplicates <= 200, "the two stalled requests (at most 100 logs each) arrived twice: "
                + duplicates);
        assertEquals(0, run.deadLetters(0).size());
    }

    /**
     * Records CLS would reject for the whole request fail alone with the reason, before upload (a value over 1 MiB, a
     * key starting with '_', malformed JSON) or after it (a log the endpoint answers 400 for: the call is split until
     * that log is alone), while their neighbours in the same batches land.
     */
    @Test
    void badRecordsAreDeadLetteredWithReasonsWhileTheirNeighboursLand(KafkaBroker broker, ClsEndpoint endpoint) throws Exception {
        Run run = new Run(broker, "bad");
        broker.admin().createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(run.topic + "-big", 1, (short) 1)
                .configs(Map.of("max.message.bytes", "3000000")))).all().get();
        Set<Long> good = new TreeSet<>();
        Map<String, String> reasonBySeq = new HashMap<>();
        endpoint.rejectLogsWhere(log -> "reject-me".equals(log.get("path")));
        try (KafkaProducer<byte[], byte[]> producer = bigProducer(broker)) {
            for (long seq = 0; seq < 600; seq++) {
                Map<String, Object> v = value(seq, "a");
                String why = null;
                if (seq % 100 == 10) {
                    v.put("body", "x".repeat(ClsSink.MAX_VALUE_BYTES + 1));
                    why = "at most " + ClsSink.MAX_VALUE_BYTES;
                } else if (seq % 100 == 20) {
                    v.put("_reserved", "1");
                    why = "must not be empty or start with '_'";
                } else if (seq % 100 == 30) {
                    v.put("path", "reject-me");
                    why = "InvalidParam";
                }
                byte[] bytes = JSON.writeValueAsBytes(v);
                if (seq % 100 == 40) {
                    bytes = ("{\"seq\":" + seq + ",broken").getBytes(StandardCharsets.UTF_8);
                    why = "malformed";
                }
                producer.send(new ProducerRecord<>(run.topic + "-big", bytes)).get();
                if (why == null) {
                    good.add(seq);
                } else {
                    reasonBySeq.put(Long.toString(seq), why);
                }
            }
        }
        Run big = run.on(run.topic + "-big");
        big.largeRecords = true;
        try (Pipeline p = big.start(sink(endpoint).topic("topic-a").bufferBytes(32 * 1024 * 1024).build(), null)) {
            p.awaitCommitted();
        }
        assertEquals(good, seqs(endpoint.logs("topic-a")), "every good record landed, bad ones did not");
        List<ConsumerRecord<byte[], byte[]>> dead = big.deadLetters(reasonBySeq.size());
        assertEquals(reasonBySeq.size(), dead.size(), "exactly the bad records are dead-lettered");
        for (ConsumerRecord<byte[], byte[]> r : dead) {
            String value = new String(r.value(), StandardCharsets.UTF_8);
            String seq = value.replaceAll("(?s)^\\{\"seq\":(\\d+).*", "$1");
            String expectedReason = reasonBySeq.get(seq);
            assertNotNull(expectedReason, "an unexpected dead letter: " + value.substring(0, Math.min(80, value.length())));
            String message = KafkaBroker.header(r, DeadLetterHeaders.EXCEPTION_MESSAGE);
            if (expectedReason.equals("malformed")) {
                assertEquals("io.syncer.RecordDecodeException", KafkaBroker.header(r, DeadLetterHeaders.EXCEPTION_CLASS));
            } else if (expectedReason.equals("InvalidParam")) {
                // rejected by the endpoint: the CLS code and request id are in the headers
                assertEquals("InvalidParam", KafkaBroker.header(r, DeadLetterHeaders.DETAIL_PREFIX + "cls.error.code"), message);
                String requestId = KafkaBroker.header(r, DeadLetterHeaders.DETAIL_PREFIX + "cls.request.id");
                assertTrue(endpoint.requests().stream().anyMatch(q -> q.status() == 400 && q.requestId().equals(requestId)),
                        "the request id is the endpoint's: " + requestId);
                assertEquals("cls", KafkaBroker.header(r, DeadLetterHeaders.SINK));
            } else {
                assertTrue(message.contains(expectedReason), message);
                assertEquals("RejectedBeforeUpload", KafkaBroker.header(r, DeadLetterHeaders.DETAIL_PREFIX + "cls.error.code"));
            }
            assertEquals("fatal", KafkaBroker.header(r, DeadLetterHeaders.REASON));
        }
    }

    /**
     * A wrong SecretKey is not a bad record: nothing is dead-lettered, nothing committed, health says AuthFailure;
     * the right key resumes, and every record arrives. No log line ever holds either key.
     */
    @Test
    void aWrongKeyHoldsTheStreamWithoutDeadLettersAndTheRightKeyResumesIt(KafkaBroker broker, ClsEndpoint endpoint)
            throws Exception {
        Path log = Path.of("target", "cls-it.log");
        long logStart = Files.exists(log) ? Files.size(log) : 0;
        String wrongKey = "wrongSecretKeyValue-" + System.nanoTime();
        Run run = new Run(broker, "auth");
        Map<String, Set<Long>> expected = run.produce(500, seq -> "a");
        ClsSink<JsonNode> sink = ClsSink.<JsonNode>builder("cls", endpoint.url(),
                        ClsCredentials.of(ClsEndpoint.DEFAULT_SECRET_ID, wrongKey))
                .topic("topic-a").httpTimeouts(HTTP_TIMEOUT, HTTP_TIMEOUT).build();
        try (Pipeline p = run.start(sink, null)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> p.syncer.health().sinkOutages().containsKey("cls"));
            Thread.sleep(4_000); // several probes
            GroupHealth h = p.syncer.health();
            SinkOutage outage = h.sinkOutages().get("cls");
            assertFalse(h.isHealthy(), "an unavailable sink is not healthy: " + h.state());
            assertTrue(outage.reason().contains("AuthFailure"), outage.reason());
            assertTrue(outage.probes() >= 3, "probed with backoff: " + outage.probes());
            assertTrue(outage.heldRecords() > 0, "records are held: " + outage);
            assertEquals(0, endpoint.logCount(), "nothing stored");
            assertEquals(0L, sum(broker.committedOffsets(run.group)), "nothing committed while the sink cannot write");
            long auth = endpoint.requests().stream().filter(r -> r.status() == 401).count();
            assertTrue(auth >= 3 && auth < 100, "probes, not a flood: " + auth + " rejected requests");
            assertFalse(outage.toString().contains(wrongKey));

            sink.updateCredentials(ClsCredentials.of(ClsEndpoint.DEFAULT_SECRET_ID, ClsEndpoint.DEFAULT_SECRET_KEY));
            p.awaitCommitted();
            assertTrue(p.syncer.health().sinkOutages().isEmpty(), "the outage ended");
        }
        assertEquals(expected.get("a"), seqs(endpoint.logs("topic-a")), "every record arrived after the fix");
        assertEquals(0, run.deadLetters(0).size(), "an auth failure never floods the dead-letter topic");
        String logged = Files.readString(log).substring((int) logStart);
        assertTrue(logged.contains("cannot write"), "the outage was logged");
        assertFalse(logged.contains(wrongKey), "the wrong key never logged");
        assertFalse(logged.contains(ClsEndpoint.DEFAULT_SECRET_KEY), "the right key never logged");
        assertFalse(sink.toString().contains(ClsEndpoint.DEFAULT_SECRET_KEY), sink.toString());
    }

    /** A tenant added at runtime: its records are dead-lettered as unknown before, and land in its topic after. */
    @Test
    void aTenantAddedAtRuntimeGoesToItsNewTopic(KafkaBroker broker, ClsEndpoint endpoint) throws Exception {
        Run run = new Run(broker, "runtime");
        ClsResources tenants = ClsResources.of(Map.of("a", "topic-a"));
        Map<String, Set<Long>> before = run.produce(300, seq -> seq % 3 == 0 ? "new" : "a");
        try (Pipeline p = run.start(sink(endpoint).build(), (log, r) -> List.of(tenants.route("cls", tenant(log))))) {
            p.awaitCommitted();
            tenants.put("new", "topic-new");
            Map<String, Set<Long>> after = run.produceFrom(300, 300, seq -> seq % 3 == 0 ? "new" : "a");
            p.awaitCommitted();
            assertEquals(after.get("new"), seqs(endpoint.logs("topic-new")), "the new tenant's later records");
            Set<Long> allA = new TreeSet<>(before.get("a"));
            allA.addAll(after.get("a"));
            assertEquals(allA, seqs(endpoint.logs("topic-a")));
        }
        List<ConsumerRecord<byte[], byte[]>> dead = run.deadLetters(before.get("new").size());
        assertEquals(before.get("new").size(), dead.size(), "the unknown tenant's records before it was added");
        for (ConsumerRecord<byte[], byte[]> r : dead) {
            assertEquals("no CLS topic for tenant 'new'", KafkaBroker.header(r, DeadLetterHeaders.EXCEPTION_MESSAGE));
        }
    }

    /**
     * Close flushes what the SDK holds: the endpoint stalls every request while the pipeline closes; when it lets
     * them through, close returns, and every record the group committed is in CLS. A restart delivers the rest.
     */
    @Test
    void closeFlushesWhatTheSdkHolds(KafkaBroker broker, ClsEndpoint endpoint) throws Exception {
        Run run = new Run(broker, "close");
        Map<String, Set<Long>> expected = run.produce(2_000, seq -> "a");
        endpoint.stallAll(true);
        Pipeline p = run.start(sink(endpoint).topic("topic-a").build(), null);
        await().atMost(Duration.ofSeconds(30)).until(() -> endpoint.heldRequests() > 0);
        Thread closer = new Thread(p::close, "test-closer");
        closer.start();
        Thread.sleep(1_000);
        assertTrue(closer.isAlive(), "close waits for the requests the SDK holds");
        endpoint.stallAll(false);
        closer.join(60_000);
        assertFalse(closer.isAlive(), "close returned once CLS answered");
        Set<Long> stored = seqs(endpoint.logs("topic-a"));
        assertFalse(stored.isEmpty(), "the uploads held at close were flushed");
        Map<TopicPartition, Long> committed = broker.committedOffsets(run.group);
        for (Map.Entry<TopicPartition, Long> c : committed.entrySet()) {
            for (long offset = 0; offset < c.getValue(); offset++) {
                long seq = run.seqAt(c.getKey().partition(), offset);
                assertTrue(stored.contains(seq), "committed record " + c.getKey() + "@" + offset + " is in CLS");
            }
        }
        try (Pipeline again = run.start(sink(endpoint).topic("topic-a").build(), null)) {
            again.awaitCommitted();
        }
        assertEquals(expected.get("a"), seqs(endpoint.logs("topic-a")), "the restart delivered the rest");
    }

    /** The pipeline in a child JVM, SIGKILLed three times mid-run and restarted: every record arrives, duplicates counted. */
    @Test
    void aSigkilledPipelineRedeliversAndLosesNothing(KafkaBroker broker, ClsEndpoint endpoint, @TempDir Path dir) throws Exception {
        Run run = new Run(broker, "killed");
        int total = 30_000;
        Map<String, Set<Long>> expected = run.produce(total, seq -> "a");
        String[] args = {broker.bootstrapServers(), run.topic, run.group, endpoint.url(), "topic-a"};
        for (int kill = 1; kill <= 3; kill++) {
            Process child = ChildJvm.start(ClsPipelineMain.class, dir, args);
            long target = Math.min(total, endpoint.logCount() + 4_000);
            try {
                assertTrue(endpoint.awaitLogCount(target, Duration.ofSeconds(90)), "child " + kill + " made progress: "
                        + endpoint.logCount() + "; its output: " + Files.readString(dir.resolve("child.out")));
            } finally {
                child.destroyForcibly().waitFor();
            }
        }
        Process last = ChildJvm.start(ClsPipelineMain.class, dir, args);
        try {
            Map<TopicPartition, Long> end = broker.endOffsets(run.topic);
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                    .until(() -> end.equals(broker.committedOffsets(run.group)));
        } finally {
            last.destroyForcibly().waitFor();
        }
        List<ClsLog> logs = endpoint.logs("topic-a");
        Set<Long> distinct = seqs(logs);
        System.out.println("CLS SIGKILL x3: produced=" + total + " stored=" + logs.size() + " distinct=" + distinct.size()
                + " lost=" + (total - distinct.size()) + " duplicates=" + (logs.size() - distinct.size()));
        assertEquals(expected.get("a"), distinct, "nothing lost across three SIGKILLs");
        // re-delivered at most what a killed member had in flight: its queue (maxQueuedRecords) plus one commit interval
        assertTrue(logs.size() - distinct.size() <= 3 * (ConsumerGroupConfig.DEFAULT_MAX_QUEUED_RECORDS + 4_096),
                "duplicates within the bound: " + (logs.size() - distinct.size()));
    }

    // ---------------------------------------------------------------------------------------------------------

    private static ClsSink.Builder<JsonNode> sink(ClsEndpoint endpoint) {
        return ClsSink.<JsonNode>builder("cls", endpoint.url(),
                        ClsCredentials.of(ClsEndpoint.DEFAULT_SECRET_ID, ClsEndpoint.DEFAULT_SECRET_KEY))
                .mapper(LogMapper.<JsonNode>json().timeField("ts"))
                .httpTimeouts(HTTP_TIMEOUT, HTTP_TIMEOUT)
                .batchPolicy(BatchPolicy.builder().maxRecords(500).linger(Duration.ofMillis(50))
                        .unavailableBackoff(Duration.ofMillis(200), Duration.ofSeconds(1)).build());
    }

    private static String tenant(JsonNode log) {
        return log.path("appid").asText(null);
    }

    private static Map<String, Object> value(long seq, String tenant) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("seq", seq);
        v.put("appid", tenant);
        v.put("path", "/p/" + seq);
        v.put("status", 200);
        v.put("ts", 1_700_000_000_000L + seq);
        return v;
    }

    private static Set<Long> seqs(List<ClsLog> logs) {
        Set<Long> out = new TreeSet<>();
        for (ClsLog l : logs) {
            out.add(Long.parseLong(l.get("seq")));
        }
        return out;
    }

    private static long sum(Map<TopicPartition, Long> offsets) {
        return offsets.values().stream().mapToLong(Long::longValue).sum();
    }

    private static KafkaProducer<byte[], byte[]> bigProducer(KafkaBroker broker) {
        Map<String, Object> props = broker.clientProperties();
        props.put("key.serializer", org.apache.kafka.common.serialization.ByteArraySerializer.class);
        props.put("value.serializer", org.apache.kafka.common.serialization.ByteArraySerializer.class);
        props.put("max.request.size", 3_000_000);
        return new KafkaProducer<>(props);
    }

    /** One test's topic, group and dead-letter topic, and what was produced where. */
    private static final class Run {
        final KafkaBroker broker;
        final String topic;
        final String group;
        final String dlt;
        /** seq by partition and offset, for checking committed offsets against the store. */
        final Map<TopicPartition, Map<Long, Long>> produced = new HashMap<>();

        Run(KafkaBroker broker, String name) {
            this(broker, KafkaBroker.uniqueName(name), true);
        }

        private Run(KafkaBroker broker, String topic, boolean create) {
            this.broker = broker;
            this.topic = topic;
            this.group = topic + "-g";
            this.dlt = topic + ".dlt";
            if (create) {
                broker.createTopic(topic, PARTITIONS);
                broker.createTopic(dlt, 1);
            }
        }

        /** Whether the dead-letter producer must take records over 1 MB. */
        boolean largeRecords;

        /** A run over another (existing) topic whose records may exceed 1 MB, with a dead-letter topic that takes them. */
        Run on(String other) throws Exception {
            broker.admin().createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(other + ".dlt", 1, (short) 1)
                    .configs(Map.of("max.message.bytes", "3000000")))).all().get();
            return new Run(broker, other, false);
        }

        Map<String, Set<Long>> produce(int n, java.util.function.LongFunction<String> tenantOf) throws Exception {
            return produceFrom(0, n, tenantOf);
        }

        Map<String, Set<Long>> produceFrom(long first, int n, java.util.function.LongFunction<String> tenantOf) throws Exception {
            Map<String, Set<Long>> byTenant = new HashMap<>();
            try (KafkaProducer<byte[], byte[]> producer = broker.newProducer()) {
                List<java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata>> sent = new ArrayList<>();
                for (long seq = first; seq < first + n; seq++) {
                    String tenant = tenantOf.apply(seq);
                    byTenant.computeIfAbsent(tenant, t -> new TreeSet<>()).add(seq);
                    sent.add(producer.send(new ProducerRecord<>(topic, (int) (seq % PARTITIONS), null,
                            JSON.writeValueAsBytes(value(seq, tenant)))));
                }
                long seq = first;
                for (java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata> f : sent) {
                    org.apache.kafka.clients.producer.RecordMetadata m = f.get();
                    produced.computeIfAbsent(new TopicPartition(topic, m.partition()), k -> new HashMap<>()).put(m.offset(), seq++);
                }
            }
            return byTenant;
        }

        long seqAt(int partition, long offset) {
            return produced.get(new TopicPartition(topic, partition)).get(offset);
        }

        Pipeline start(ClsSink<JsonNode> sink, Router<JsonNode> router) {
            KafkaProducers producers = KafkaProducers.create(KafkaProducersConfig.builder()
                    .bootstrapServers(broker.bootstrapServers()).kafkaProperty("max.request.size", largeRecords ? 3_000_000 : 1_048_576)
                    .build());
            Syncer.Builder<JsonNode> b = Syncer.builder(RecordDecoder.json(JsonNode.class))
                    .consumer(ConsumerGroupConfig.builder().groupId(group).topics(topic)
                            .kafkaProperties(broker.clientProperties()).commitInterval(Duration.ofMillis(200)).build())
                    .worker(QueueWorkerConfig.builder().workers(2).ordering(OrderingMode.UNORDERED)
                            .retryPolicy(RetryPolicy.builder().maxAttempts(1_000).maxElapsed(Duration.ofMinutes(3))
                                    .initialBackoff(Duration.ofMillis(100)).maxBackoff(Duration.ofSeconds(1)).build())
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

    /** A running pipeline and its dead-letter producer; close() drains and closes both. */
    private static final class Pipeline implements AutoCloseable {
        final Run run;
        final Syncer syncer;
        final KafkaProducers producers;

        Pipeline(Run run, Syncer syncer, KafkaProducers producers) {
            this.run = run;
            this.syncer = syncer;
            this.producers = producers;
        }

        /** Waits until the group has committed every record produced so far. */
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
