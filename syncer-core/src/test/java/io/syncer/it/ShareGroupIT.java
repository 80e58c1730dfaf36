package io.syncer.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.syncer.RetriableSyncerException;
import io.syncer.consume.DrainMode;
import io.syncer.failure.DeadLetterHeaders;
import io.syncer.failure.DeadLetterPolicy;
import io.syncer.failure.RetryPolicy;
import io.syncer.metrics.SyncerMetrics;
import io.syncer.produce.KafkaProducers;
import io.syncer.produce.KafkaProducersConfig;
import io.syncer.queue.AsyncConsumeWorker;
import io.syncer.queue.OrderingMode;
import io.syncer.queue.QueueWorker;
import io.syncer.queue.QueueWorkerConfig;
import io.syncer.queue.RecordDecoder;
import io.syncer.share.ShareGroupConfig;
import io.syncer.share.ShareGroupManager;
import io.syncer.share.ShareGroupStats;
import io.syncer.test.ChildJvm;
import io.syncer.test.KafkaBroker;
import io.syncer.test.WithKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Share-group mode on the real broker (share.version 1): members sharing partitions, retries, releases,
 * dead letters with delivery counts, a member killed mid-run, and the queue bound. Each processed record is
 * forwarded to an output topic and read back with a separate consumer.
 */
@WithKafka
@Timeout(240)
class ShareGroupIT {
    private final KafkaBroker broker;
    private KafkaProducers producers;
    private final List<ShareGroupManager> managers = new ArrayList<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    ShareGroupIT(KafkaBroker broker) {
        this.broker = broker;
    }

    @BeforeEach
    void producers() {
        producers = KafkaProducers.create(KafkaProducersConfig.builder().kafkaProperties(broker.clientProperties()).build());
    }

    @AfterEach
    void close() {
        managers.forEach(m -> m.close(Duration.ofSeconds(10), DrainMode.ABANDON));
        producers.close();
        timer.shutdownNow();
    }

    @Test
    void threeMembersShareTwoPartitionsWithMoreInFlightThanPartitionsAndAcceptEachRecordOnce() throws Exception {
        String topic = KafkaBroker.uniqueName("share");
        broker.createTopic(topic, 2);
        Records.produce(broker, topic, 2, 1_000, i -> "k" + i);
        String group = KafkaBroker.uniqueName("sg");
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxInFlight = new AtomicInteger();
        Map<Integer, AtomicInteger> perMemberMax = new ConcurrentHashMap<>();
        for (int m = 0; m < 3; m++) {
            int member = m;
            AtomicInteger mine = new AtomicInteger();
            perMemberMax.put(member, new AtomicInteger());
            member(group, topic, 3, 60, cfg -> cfg, r -> {
                maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                perMemberMax.get(member).accumulateAndGet(mine.incrementAndGet(), Math::max);
                CompletableFuture<Void> done = new CompletableFuture<>();
                // 10 ms of non-blocking work, then the record goes to the output topic
                timer.schedule(() -> {
                    inFlight.decrementAndGet();
                    mine.decrementAndGet();
                    producers.sendAsync(forward(topic, r)).whenComplete((md, e) -> {
                        if (e == null) {
                            done.complete(null);
                        } else {
                            done.completeExceptionally(e);
                        }
                    });
                }, 10, TimeUnit.MILLISECONDS);
                return done;
            });
        }
        managers.forEach(ShareGroupManager::start);

        List<ConsumerRecord<byte[], byte[]>> out = broker.readAll(topic + ".out", 2_000, Duration.ofSeconds(120));
        Set<String> ids = ids(out);
        assertEquals(2_000, ids.size(), "every record processed");
        assertEquals(2_000, out.size(), "each record forwarded once: " + (out.size() - ids.size()) + " duplicates");
        await().atMost(Duration.ofSeconds(10)).until(() -> total(ShareGroupStats::accepted) == 2_000);
        assertEquals(0, total(ShareGroupStats::released), "nothing released");
        assertEquals(0, total(ShareGroupStats::redelivered), "nothing delivered twice");
        for (ShareGroupManager m : managers) {
            assertTrue(m.stats().acquired() > 0, "every member took a share: " + m.stats());
        }
        assertTrue(maxInFlight.get() > 2, "more records in flight than partitions: " + maxInFlight.get());
        perMemberMax.forEach((member, max) -> assertTrue(max.get() <= 60,
                "member " + member + " never held more than its queue bound: " + max.get()));
        System.out.printf("share group: 3 members x 3 consumers over 2 partitions, max %d records in flight at once%n",
                maxInFlight.get());
    }

    @Test
    void retriableFailuresAreRetriedAndRecordsThatAlwaysFailAreDeadLetteredWithTheirDeliveryCount() throws Exception {
        String topic = KafkaBroker.uniqueName("share-retry");
        broker.createTopic(topic, 2);
        Records.produce(broker, topic, 2, 150, i -> "k" + i);
        Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
        ShareGroupManager m = member(KafkaBroker.uniqueName("sg"), topic, 2, 100,
                cfg -> cfg.retryPolicy(RetryPolicy.builder().maxAttempts(3).initialBackoff(Duration.ofMillis(10)).build()),
                r -> {
                    String v = value(r);
                    int n = attempts.computeIfAbsent(v, k -> new AtomicInteger()).incrementAndGet();
                    int i = Integer.parseInt(v.substring(v.lastIndexOf(':') + 1));
                    if (i % 50 == 0 || (i % 3 == 0 && n == 1)) {
                        throw new RetriableSyncerException("flaky " + v + " attempt " + n);
                    }
                    return producers.sendAsync(forward(topic, r));
                });
        m.start();
        List<ConsumerRecord<byte[], byte[]>> out = broker.readAll(topic + ".out", 294, Duration.ofSeconds(60));
        assertEquals(294, ids(out).size(), "every record but the 6 poison ones processed");
        assertEquals(294, out.size(), "once each");
        List<ConsumerRecord<byte[], byte[]>> dead = broker.readAll(topic + ".dlt", 6, Duration.ofSeconds(60));
        assertEquals(6, dead.size());
        for (ConsumerRecord<byte[], byte[]> d : dead) {
            assertEquals("retries-exhausted", KafkaBroker.header(d, DeadLetterHeaders.REASON));
            assertEquals("3", KafkaBroker.header(d, DeadLetterHeaders.ATTEMPTS));
            assertEquals("1", KafkaBroker.header(d, DeadLetterHeaders.DELIVERY_COUNT), "retried in process, one delivery");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> m.stats().accepted() == 300);
        assertEquals(0, m.stats().released());
    }

    @Test
    void aBackoffTheLockCannotHoldReleasesTheRecordAndItsLastDeliveryIsDeadLetteredNotArchived() throws Exception {
        String topic = KafkaBroker.uniqueName("share-release");
        broker.createTopic(topic, 1);
        Records.produce(broker, topic, 1, 20, i -> "k" + i);
        // a 3 s backoff never fits in what the lock leaves (30 s lock, 28 s margin): each failure is a RELEASE
        ShareGroupManager m = member(KafkaBroker.uniqueName("sg"), topic, 1, 20,
                cfg -> cfg.retryPolicy(RetryPolicy.builder().maxAttempts(10).initialBackoff(Duration.ofSeconds(3)).build()),
                cfg -> cfg.lockMargin(Duration.ofSeconds(28)),
                r -> {
                    String v = value(r);
                    if (v.endsWith(":7") || v.endsWith(":13")) {
                        throw new RetriableSyncerException("always fails: " + v);
                    }
                    return producers.sendAsync(forward(topic, r));
                });
        m.start();
        List<ConsumerRecord<byte[], byte[]>> dead = broker.readAll(topic + ".dlt", 2, Duration.ofSeconds(90));
        assertEquals(2, dead.size());
        for (ConsumerRecord<byte[], byte[]> d : dead) {
            assertEquals("delivery-limit", KafkaBroker.header(d, DeadLetterHeaders.REASON));
            assertEquals(String.valueOf(ShareGroupConfig.DEFAULT_DELIVERY_COUNT_LIMIT),
                    KafkaBroker.header(d, DeadLetterHeaders.DELIVERY_COUNT), "dead-lettered on its last delivery");
        }
        List<ConsumerRecord<byte[], byte[]>> out = broker.readAll(topic + ".out", 18, Duration.ofSeconds(30));
        assertEquals(18, ids(out).size());
        ShareGroupStats s = m.stats();
        assertEquals(2L * (ShareGroupConfig.DEFAULT_DELIVERY_COUNT_LIMIT - 1), s.released(),
                "each poison record released on every delivery but its last: " + s);
        assertEquals(ShareGroupConfig.DEFAULT_DELIVERY_COUNT_LIMIT, s.maxDeliveryCount());
        await().atMost(Duration.ofSeconds(10)).until(() -> m.stats().accepted() == 20);
    }

    @Test
    void aMemberKilledMidRunHoldsNothing(@TempDir Path dir) throws Exception {
        String topic = KafkaBroker.uniqueName("share-kill");
        broker.createTopic(topic, 2);
        Records.produce(broker, topic, 2, 1_500, i -> "k" + i);
        String group = KafkaBroker.uniqueName("sg");
        Path log = dir.resolve("processed.log");
        Process child = ChildJvm.start(SharePipelineChild.class, dir, broker.bootstrapServers(), topic, group,
                log.toString(), topic + ".dlt");
        try {
            await().atMost(Duration.ofSeconds(90)).until(() -> lines(log).size() >= 300);
        } finally {
            child.destroyForcibly();
            assertTrue(child.waitFor(10, TimeUnit.SECONDS));
        }
        Set<String> beforeKill = new HashSet<>(lines(log));
        assertTrue(beforeKill.size() < 3_000, "killed mid-run: " + beforeKill.size());
        long killedAt = System.nanoTime();

        Set<String> after = ConcurrentHashMap.newKeySet();
        ShareGroupManager survivor = member(group, topic, 2, 200, cfg -> cfg, r -> {
            after.add(r.partition() + ":" + r.offset());
            return null;
        });
        survivor.start();
        await().atMost(Duration.ofSeconds(120)).until(() -> covered(beforeKill, after) == 3_000);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
        ShareGroupStats s = survivor.stats();
        assertTrue(s.redelivered() > 0, "the killed member's acquired records came back: " + s);
        System.out.printf("share kill: %d processed before the kill, the survivor took the rest (%d records came back on a"
                + " later delivery) within %d ms of the kill; 0 lost%n", beforeKill.size(), s.redelivered(), millis);
    }

    @Test
    void workLongerThanTheLockRenewsItsLocksAndIsProcessedOnce() throws Exception {
        LockedTopic t = lockedTopic("share-renew", 40);
        String topic = t.topic();
        String group = t.group();
        java.util.function.Function<String, Work> work = name -> r -> {
            String v = value(r);
            if (v.endsWith(":3") || v.endsWith(":17") || v.endsWith(":29")) {
                Thread.sleep(25_000); // longer than the lock, so it must be renewed (more than once)
            }
            ProducerRecord<byte[], byte[]> f = forward(topic, r);
            f.headers().add("member", name.getBytes(StandardCharsets.UTF_8));
            f.headers().add("delivery", String.valueOf(r.deliveryCount().orElse((short) 0)).getBytes(StandardCharsets.UTF_8));
            return producers.sendAsync(f);
        };
        // One consumer per member, whose poll may take all 40 records: the Kafka client can hold records it fetched
        // in the background and hands them over only at the next main poll, after the batch (a renewal's poll returns
        // only the renewed records). With two consumers of 10 records each, one consumer's client held 20-29 while its
        // batch held a 25 s record, their locks ran out and they were delivered again (CI, 2026-12-03: redelivered=10,
        // 29 missing at 40 s). Such held records are now renewed before they are handed over, and those whose lock
        // lapsed are left to the member the broker gave them (recordsPolledAfterALongBatch..., ShareConsumerLoopTest);
        // they are still delivered twice, and this test is about the records in work, so nothing is left to be held.
        ShareGroupManager a = member(group, topic, 1, 40, cfg -> cfg.workers(4), cfg -> cfg.renewLocks(true), work.apply("a"));
        // a second member would take any record whose lock expired
        ShareGroupManager b = member(group, topic, 1, 40, cfg -> cfg.workers(4), cfg -> cfg.renewLocks(true), work.apply("b"));
        a.start();
        b.start();
        List<ConsumerRecord<byte[], byte[]>> out = broker.readAll(topic + ".out", 40, Duration.ofSeconds(90));
        assertEquals(40, ids(out).size(), () -> "every record processed; missing " + missing(topic, 40, out) + "; a "
                + a.stats() + ", b " + b.stats());
        await().atMost(Duration.ofSeconds(10)).until(() -> total(ShareGroupStats::accepted) >= 40);
        assertEquals(40, out.size(), () -> "once each: no lock expired under the slow ones; a " + a.stats() + ", b " + b.stats()
                + ", forwarded " + out.stream().map(r -> value(r) + "@" + header(r, "member") + "/" + header(r, "delivery")).toList());
        assertTrue(total(ShareGroupStats::renewed) >= 3, "the slow records' locks were renewed: " + a.stats() + " " + b.stats());
        assertEquals(0, total(ShareGroupStats::redelivered), "nothing delivered twice");
        assertEquals(0, total(ShareGroupStats::released));
        assertEquals(0, total(ShareGroupStats::acknowledgementFailures));
    }

    /**
     * A poll after a batch that outlasted half the lock: the client may have fetched its records in the background
     * while the batch was in work, so their locks may be that old, and with renewal they are renewed before any is
     * handed over. Here their locks are valid (10 s of 15): the broker renews them, they come back as new deliveries
     * and each is processed and accepted once. (The lapsed case, where the broker refuses, is ShareConsumerLoopTest's:
     * a real client holds records back only now and then.)
     */
    @Test
    void recordsPolledAfterALongBatchAreRenewedBeforeTheyAreProcessed() throws Exception {
        LockedTopic t = lockedTopic("share-revalidate", 20);
        String topic = t.topic();
        String group = t.group();
        ShareGroupManager m = member(group, topic, 1, 10, cfg -> cfg.workers(4), cfg -> cfg.renewLocks(true), r -> {
            if (value(r).endsWith(":5")) {
                Thread.sleep(10_000); // the first poll's batch outlasts half the lock (7.5 s)
            }
            return producers.sendAsync(forward(topic, r));
        });
        m.start();
        List<ConsumerRecord<byte[], byte[]>> out = broker.readAll(topic + ".out", 20, Duration.ofSeconds(60));
        assertEquals(20, ids(out).size(), () -> "every record processed; missing " + missing(topic, 20, out) + "; " + m.stats());
        await().atMost(Duration.ofSeconds(10)).until(() -> m.stats().accepted() >= 20);
        ShareGroupStats s = m.stats();
        assertEquals(20, out.size(), "once each: " + s);
        assertEquals(20, s.accepted(), "every ACCEPT taken, on the renewed deliveries too: " + s);
        assertTrue(s.renewed() >= 11, "the slow record renewed in its batch, and the second poll's 10 before they were"
                + " handed over: " + s);
        assertEquals(0, s.lapsed(), "their locks were valid: " + s);
        assertEquals(0, s.redelivered(), "nothing delivered twice: " + s);
        assertEquals(0, s.acknowledgementFailures(), s.toString());
    }

    /** A one-partition topic of {@code records} records and a share group set to the shortest lock. */
    private record LockedTopic(String topic, String group) {
    }

    private LockedTopic lockedTopic(String prefix, int records) throws Exception {
        String topic = KafkaBroker.uniqueName(prefix);
        broker.createTopic(topic, 1);
        Records.produce(broker, topic, 1, records, i -> "k" + i);
        String group = KafkaBroker.uniqueName("sg");
        shortestLock(group);
        return new LockedTopic(topic, group);
    }

    /** Sets the shortest lock the broker allows on a group (group.share.min.record.lock.duration.ms, 15 s). */
    private void shortestLock(String group) throws Exception {
        org.apache.kafka.common.config.ConfigResource g =
                new org.apache.kafka.common.config.ConfigResource(org.apache.kafka.common.config.ConfigResource.Type.GROUP, group);
        broker.admin().incrementalAlterConfigs(Map.of(g, List.of(new org.apache.kafka.clients.admin.AlterConfigOp(
                new org.apache.kafka.clients.admin.ConfigEntry("share.record.lock.duration.ms", "15000"),
                org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);
    }

    @Test
    void theQueueBoundHoldsWithASlowWorkerAndNoLockExpires() throws Exception {
        String topic = KafkaBroker.uniqueName("share-slow");
        broker.createTopic(topic, 2);
        Records.produce(broker, topic, 2, 300, i -> "k" + i);
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger max = new AtomicInteger();
        AtomicInteger maxQueued = new AtomicInteger();
        ShareGroupManager[] self = new ShareGroupManager[1];
        self[0] = member(KafkaBroker.uniqueName("sg"), topic, 2, 40, cfg -> cfg.workers(8), r -> {
            max.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            maxQueued.accumulateAndGet((int) self[0].health().queuedRecords(), Math::max);
            try {
                Thread.sleep(25); // a slow sink
            } finally {
                inFlight.decrementAndGet();
            }
            return producers.sendAsync(forward(topic, r));
        });
        self[0].start();
        List<ConsumerRecord<byte[], byte[]>> out = broker.readAll(topic + ".out", 600, Duration.ofSeconds(90));
        assertEquals(600, ids(out).size());
        ShareGroupStats s = self[0].stats();
        assertTrue(maxQueued.get() <= 40, "records acquired and not acknowledged stayed within the bound: " + maxQueued);
        assertEquals(0, s.redelivered(), "no lock expired: nothing was delivered twice");
        assertEquals(0, s.released());
        assertEquals(0, s.acknowledgementFailures());
    }

    @Test
    void keyOrderAndAHaltingPolicyAreRejected() {
        ShareGroupConfig config = ShareGroupConfig.builder().groupId("g").topics("t").bootstrapServers("localhost:1").build();
        QueueWorker<?> keyed = QueueWorker.create(QueueWorkerConfig.builder().ordering(OrderingMode.KEY)
                .deadLetterPolicy(DeadLetterPolicy.toTopic(producers, "dlt")).build(), RecordDecoder.identity(),
                AsyncConsumeWorker.blocking((id, r) -> { }));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ShareGroupManager.create(config, keyed, SyncerMetrics.NOOP));
        assertTrue(e.getMessage().contains("UNORDERED"), e.getMessage());
        QueueWorker<?> halting = QueueWorker.create(QueueWorkerConfig.builder().ordering(OrderingMode.UNORDERED).build(),
                RecordDecoder.identity(), AsyncConsumeWorker.blocking((id, r) -> { }));
        e = assertThrows(IllegalArgumentException.class, () -> ShareGroupManager.create(config, halting, SyncerMetrics.NOOP));
        assertTrue(e.getMessage().contains("dead-letter topic"), e.getMessage());
    }

    /** A member: share consumers over {@code topic}, 4 UNORDERED workers, a dead-letter topic {@code topic.dlt}. */
    private ShareGroupManager member(String group, String topic, int consumers, int maxQueued,
                                     Function<QueueWorkerConfig.Builder, QueueWorkerConfig.Builder> worker,
                                     Work work) {
        return member(group, topic, consumers, maxQueued, worker, cfg -> cfg, work);
    }

    private ShareGroupManager member(String group, String topic, int consumers, int maxQueued,
                                     Function<QueueWorkerConfig.Builder, QueueWorkerConfig.Builder> worker,
                                     Function<ShareGroupConfig.Builder, ShareGroupConfig.Builder> share, Work work) {
        QueueWorker<ConsumerRecord<byte[], byte[]>> queue = QueueWorker.create(worker.apply(QueueWorkerConfig.builder()
                        .workers(4).maxInFlight(256).ordering(OrderingMode.UNORDERED)
                        .deadLetterPolicy(DeadLetterPolicy.toTopic(producers, topic + ".dlt"))).build(),
                RecordDecoder.identity(), (id, r) -> work.run(r));
        ShareGroupManager m = ShareGroupManager.create(share.apply(ShareGroupConfig.builder().groupId(group).topics(topic)
                .kafkaProperties(broker.clientProperties()).consumers(consumers).maxQueuedRecords(maxQueued)).build(),
                queue, SyncerMetrics.NOOP);
        managers.add(m);
        return m;
    }

    /** A worker body: returns a stage, or null when done synchronously. */
    @FunctionalInterface
    interface Work {
        java.util.concurrent.CompletionStage<?> run(ConsumerRecord<byte[], byte[]> r) throws Exception;
    }

    private long total(java.util.function.ToLongFunction<ShareGroupStats> f) {
        return managers.stream().mapToLong(m -> f.applyAsLong(m.stats())).sum();
    }

    private static ProducerRecord<byte[], byte[]> forward(String topic, ConsumerRecord<byte[], byte[]> r) {
        return new ProducerRecord<>(topic + ".out", r.key(), r.value());
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String key) {
        org.apache.kafka.common.header.Header h = r.headers().lastHeader(key);
        return h == null ? "-" : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static String value(ConsumerRecord<byte[], byte[]> r) {
        return new String(r.value(), StandardCharsets.UTF_8);
    }

    /** The values {@code Records.produce} gave partition 0's first {@code count} records that {@code out} lacks. */
    private static List<String> missing(String topic, int count, List<ConsumerRecord<byte[], byte[]>> out) {
        Set<String> seen = ids(out);
        List<String> missing = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
            String id = topic + ":0:" + i;
            if (!seen.contains(id)) {
                missing.add(id);
            }
        }
        return missing;
    }

    private static Set<String> ids(List<ConsumerRecord<byte[], byte[]>> records) {
        Set<String> ids = new HashSet<>();
        records.forEach(r -> ids.add(value(r)));
        return ids;
    }

    private static List<String> lines(Path file) throws Exception {
        return Files.exists(file) ? Files.readAllLines(file) : List.of();
    }

    private static int covered(Set<String> a, Set<String> b) {
        Set<String> all = new HashSet<>(a);
        all.addAll(b);
        return all.size();
    }
}
