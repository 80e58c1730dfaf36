package io.syncer.internal.queue;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.syncer.consume.DrainMode;
import io.syncer.consume.GroupSession;
import io.syncer.consume.PartitionClaim;
import io.syncer.failure.DeadLetterHeaders;
import io.syncer.failure.DeadLetterPolicy;
import io.syncer.failure.RetryPolicy;
import io.syncer.internal.produce.DefaultKafkaProducers;
import io.syncer.produce.KafkaProducers;
import io.syncer.produce.KafkaProducersConfig;
import io.syncer.metrics.SyncerMetrics;
import io.syncer.queue.AsyncConsumeWorker;
import io.syncer.queue.OrderingMode;
import io.syncer.queue.QueueWorkerConfig;
import io.syncer.queue.RecordDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class DefaultQueueWorkerTest {
    private static final TopicPartition P0 = new TopicPartition("t", 0);
    private static final TopicPartition P1 = new TopicPartition("t", 1);

    private DefaultQueueWorker<ConsumerRecord<byte[], byte[]>> queue;

    @AfterEach
    void closeQueue() {
        if (queue != null) {
            queue.close(Duration.ofSeconds(5), DrainMode.ABANDON);
        }
    }

    private static ConsumerRecord<byte[], byte[]> record(TopicPartition tp, long offset, String key) {
        return new ConsumerRecord<>(tp.topic(), tp.partition(), offset,
                key == null ? null : key.getBytes(StandardCharsets.UTF_8), ("v" + offset).getBytes(StandardCharsets.UTF_8));
    }

    private static String key(ConsumerRecord<byte[], byte[]> r) {
        return r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
    }

    private DefaultQueueWorker<ConsumerRecord<byte[], byte[]>> start(QueueWorkerConfig config,
                                                                     AsyncConsumeWorker<ConsumerRecord<byte[], byte[]>> worker) {
        queue = new DefaultQueueWorker<>(config, RecordDecoder.identity(), worker);
        queue.setup(FakeSession.assigned(Set.of(P0, P1)));
        return queue;
    }

    /** Per-key order holds with 8 workers while different keys of one partition overlap. */
    @Test
    void keyModeKeepsPerKeyOrderAndRunsKeysConcurrently() {
        Map<String, List<Long>> seen = new ConcurrentHashMap<>();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        start(QueueWorkerConfig.builder().workers(8).ordering(OrderingMode.KEY).build(),
                AsyncConsumeWorker.blocking((id, r) -> {
                    maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                    seen.computeIfAbsent(key(r), k -> new CopyOnWriteArrayList<>()).add(r.offset());
                    Thread.sleep(2);
                    running.decrementAndGet();
                }));
        FakeClaim claim = FakeClaim.of(P0, 0, 400, i -> "k" + (i % 10));
        queue.consumeClaim(FakeSession.assigned(Set.of(P0)), claim);
        await().atMost(Duration.ofSeconds(20)).until(() -> claim.processed.size() == 400);
        for (List<Long> offsets : seen.values()) {
            List<Long> sorted = new ArrayList<>(offsets);
            sorted.sort(null);
            assertEquals(sorted, offsets, "records of one key must run in offset order");
        }
        assertTrue(maxRunning.get() > 1, "different keys of one partition should run concurrently, max " + maxRunning);
        assertTrue(maxRunning.get() <= 8);
    }

    /**
     * Issue 14, target 1: a key with a backlog went to the back of the ready queue after each of its records, so
     * on a skewed key set the hottest key waited behind every key that became ready meanwhile and the run ended
     * well after that key's serial work. Ready keys now run oldest record first: with one slot, a hot key's second
     * record (offset 3) runs before the cold records that arrived after it. Before the fix the order was
     * 0, 1, 2, 4, 5, 3.
     */
    @Test
    void theReadyKeyWithTheOldestRecordRunsFirstSoAHotKeyIsNotQueuedBehindLaterArrivals() {
        List<Long> order = new CopyOnWriteArrayList<>();
        start(QueueWorkerConfig.builder().workers(1).maxInFlight(1).ordering(OrderingMode.KEY).build(),
                AsyncConsumeWorker.blocking((id, r) -> order.add(r.offset())));
        String[] keys = {"hot", "c1", "c2", "hot", "c3", "c4"};
        FakeClaim claim = FakeClaim.of(P0, 0, keys.length, i -> keys[i]);
        queue.consumeClaim(FakeSession.assigned(Set.of(P0)), claim);
        await().atMost(Duration.ofSeconds(10)).until(() -> claim.processed.size() == keys.length);
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L), order, "records run in arrival order across ready keys");
    }

    /**
     * Issue 14, target 1 (P8 at 64 partitions): a key with a long backlog is the run's critical path, and oldest-first
     * order started it behind everything queued before it. With one slot (maxInFlight 1, so a record behind the
     * head is worth one arrival) and 20 records of "hot" queued behind 5 single-record keys, hot's head counts 19
     * arrivals earlier and runs first, until fewer than 16 of its records wait; then the singles, then the rest.
     */
    @Test
    void aKeyWithALongBacklogStartsAheadOfOlderSingleRecords() {
        List<Long> order = new CopyOnWriteArrayList<>();
        start(QueueWorkerConfig.builder().workers(1).maxInFlight(1).ordering(OrderingMode.KEY).build(),
                AsyncConsumeWorker.blocking((id, r) -> order.add(r.offset())));
        FakeClaim claim = FakeClaim.of(P0, 0, 25, i -> i < 5 ? "c" + i : "hot");
        queue.consumeClaim(FakeSession.assigned(Set.of(P0)), claim);
        await().atMost(Duration.ofSeconds(10)).until(() -> claim.processed.size() == 25);
        List<Long> expected = new ArrayList<>(List.of(5L, 6L, 7L, 8L, 9L, 0L, 1L, 2L, 3L, 4L));
        for (long o = 10; o < 25; o++) {
            expected.add(o);
        }
        assertEquals(expected, order, "hot ran while 16 or more of its records waited, then the older singles");
    }

    /**
     * A worker taking runs of one key's records: writes every record to {@code destination} in submission order
     * and answers each after a short delay, failing the offsets in {@code failOnce} on their first write.
     */
    static final class FakeRunWorker implements RunWorker<ConsumerRecord<byte[], byte[]>, ConsumerRecord<byte[], byte[]>> {
        final int maxRun;
        final Set<Long> failOnce = ConcurrentHashMap.newKeySet();
        final List<Long> prepared = new CopyOnWriteArrayList<>();
        final List<Integer> runs = new CopyOnWriteArrayList<>();
        final List<Long> destination = new CopyOnWriteArrayList<>();
        final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

        FakeRunWorker(int maxRun) {
            this.maxRun = maxRun;
        }

        @Override
        public int maxRun() {
            return maxRun;
        }

        @Override
        public CompletableFuture<?> consume(int workerId, ConsumerRecord<byte[], byte[]> item) {
            prepared.add(item.offset());
            return submitRun(List.of(item)).get(0);
        }

        @Override
        public ConsumerRecord<byte[], byte[]> prepare(int workerId, ConsumerRecord<byte[], byte[]> item) {
            prepared.add(item.offset());
            return item;
        }

        @Override
        public List<CompletableFuture<?>> submitRun(List<ConsumerRecord<byte[], byte[]>> run) {
            runs.add(run.size());
            List<CompletableFuture<?>> out = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : run) {
                CompletableFuture<Void> f = new CompletableFuture<>();
                boolean fails = failOnce.remove(r.offset());
                if (!fails) {
                    destination.add(r.offset());
                }
                timer.schedule(() -> {
                    if (fails) {
                        f.completeExceptionally(new io.syncer.RetriableSyncerException("throttled " + r.offset()));
                    } else {
                        f.complete(null);
                    }
                }, 20, TimeUnit.MILLISECONDS);
                out.add(f);
            }
            return out;
        }
    }

    /** Issue 14, target 4: a key's queued records go to a run worker as runs, and are booked in the key's order. */
    @Test
    void aKeysQueuedRecordsGoAsRunsAndAreBookedInTheKeysOrder() {
        FakeRunWorker worker = new FakeRunWorker(8);
        start(QueueWorkerConfig.builder().workers(2).ordering(OrderingMode.KEY).build(), worker);
        FakeClaim claim = FakeClaim.of(P0, 0, 20, i -> "hot");
        queue.consumeClaim(FakeSession.assigned(Set.of(P0)), claim);
        await().atMost(Duration.ofSeconds(10)).until(() -> claim.processed.size() == 20);
        assertEquals(List.of(8, 8, 4), worker.runs, "runs of up to maxRun, one at a time per key");
        List<Long> inOrder = new ArrayList<>();
        for (long i = 0; i < 20; i++) {
            inOrder.add(i);
        }
        assertEquals(inOrder, claim.processed, "booked in the key's order");
        assertEquals(inOrder, worker.destination);
        worker.timer.shutdownNow();
    }

    /**
     * Issue 14, target 4: a run holds its records' share of the group's queue bound until their outcomes, so a run
     * takes at most half of it: while one run of a hot key is written the next one can be admitted.
     */
    @Test
    void aRunTakesAtMostHalfTheGroupsQueueBound() {
        FakeRunWorker worker = new FakeRunWorker(8);
        queue = new DefaultQueueWorker<>(QueueWorkerConfig.builder().workers(2).ordering(OrderingMode.KEY).build(),
                RecordDecoder.identity(), worker);
        queue.setup(new BoundedSession(FakeSession.assigned(Set.of(P0)), 6));
        FakeClaim claim = FakeClaim.of(P0, 0, 20, i -> "hot");
        queue.consumeClaim(FakeSession.assigned(Set.of(P0)), claim);
        await().atMost(Duration.ofSeconds(10)).until(() -> claim.processed.size() == 20);
        assertEquals(List.of(3, 3, 3, 3, 3, 3, 2), worker.runs, "runs of half the bound of 6, not the worker's 8");
        worker.timer.shutdownNow();
    }

    /**
     * Issue 14, target 4: a record failing inside a run is retried, and the records after it, though written, are
     * written again after it: the destination's last copy of each record is in the key's order, and nothing after
     * the failed record is booked before it.
     */
    @Test
    void aFailureInsideARunIsRetriedAndTheRecordsAfterItAreWrittenAgainAfterIt() {
        FakeRunWorker worker = new FakeRunWorker(10);
        worker.failOnce.add(2L);
        start(QueueWorkerConfig.builder().workers(2).ordering(OrderingMode.KEY).retryPolicy(RetryPolicy.builder()
                .initialBackoff(Duration.ofMillis(100)).maxBackoff(Duration.ofMillis(100)).build()).build(), worker);
        FakeClaim claim = FakeClaim.of(P0, 0, 6, i -> "hot");
        queue.consumeClaim(FakeSession.assigned(Set.of(P0)), claim);
        await().atMost(Duration.ofSeconds(10)).until(() -> claim.processed.size() == 6);
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L), claim.processed, "booked in order, the failed one before the rest");
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 2L, 3L, 4L, 5L), worker.prepared,
                "the failed record and every one after it went again, in order");
        assertEquals(List.of(0L, 1L, 3L, 4L, 5L, 2L, 3L, 4L, 5L), worker.destination);
        assertEquals(1, queue.stats().failedAttempts(), "the records put back behind it spent no attempt");
        worker.timer.shutdownNow();
    }

    /** Issue 14, target 4: a record that cannot be decoded stops its run there: the records after it wait behind it. */
    @Test
    void aDecodeFailureStopsTheRunAndTheRecordsAfterItWaitForItsOutcome() {
        FakeRunWorker worker = new FakeRunWorker(10);
        RecordDecoder<ConsumerRecord<byte[], byte[]>> decoder = r -> {
            if (r.offset() == 2) {
                throw new io.syncer.RecordDecodeException("not JSON", null);
            }
            return r;
        };
        queue = new DefaultQueueWorker<>(QueueWorkerConfig.builder().workers(1).ordering(OrderingMode.KEY).build(),
                decoder, worker);
        queue.setup(FakeSession.assigned(Set.of(P0)));
        FakeClaim claim = FakeClaim.of(P0, 0, 6, i -> "hot");
        queue.consumeClaim(FakeSession.assigned(Set.of(P0)), claim);
        await().atMost(Duration.ofSeconds(10)).until(() -> !claim.halts.isEmpty());
        assertEquals(List.of(0L, 1L), worker.prepared, "nothing after the bad record was handed to the worker");
        assertTrue(claim.halts.get(0).startsWith("2: "), claim.halts.toString());
        await().atMost(Duration.ofSeconds(5)).until(() -> claim.processed.size() == 2);
        assertEquals(List.of(0L, 1L), claim.processed, "the records before it are booked; the ones after it are not");
        worker.timer.shutdownNow();
    }

    @Test
    void partitionModeRunsOneRecordPerPartitionAtATime() {
        Map<TopicPartition, AtomicInteger> running = Map.of(P0, new AtomicInteger(), P1, new AtomicInteger());
        AtomicInteger violations = new AtomicInteger();
        List<Long> p0Order = new CopyOnWriteArrayList<>();
        start(QueueWorkerConfig.builder().workers(4).ordering(OrderingMode.PARTITION).build(),
                AsyncConsumeWorker.blocking((id, r) -> {
                    AtomicInteger n = running.get(new TopicPartition(r.topic(), r.partition()));
                    if (n.incrementAndGet() > 1) {
                        violations.incrementAndGet();
                    }
                    if (r.partition() == 0) {
                        p0Order.add(r.offset());
                    }
                    Thread.sleep(1);
                    n.decrementAndGet();
                }));
        FakeClaim c0 = FakeClaim.of(P0, 0, 100, i -> "k" + i);
        FakeClaim c1 = FakeClaim.of(P1, 0, 100, i -> "k" + i);
        queue.consumeClaim(FakeSession.assigned(Set.of(P0, P1)), c0);
        queue.consumeClaim(FakeSession.assigned(Set.of(P0, P1)), c1);
        await().atMost(Duration.ofSeconds(20)).until(() -> c0.processed.size() + c1.processed.size() == 200);
        assertEquals(0, violations.get());
        List<Long> sorted = new ArrayList<>(p0Order);
        sorted.sort(null);
        assertEquals(sorted, p0Order);
    }

    @Test
    void unorderedModeRunsRecordsOfOneKeyConcurrently() {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        start(QueueWorkerConfig.builder().workers(4).ordering(OrderingMode.UNORDERED).build(),
                AsyncConsumeWorker.blocking((id, r) -> {
                    maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                    Thread.sleep(5);
                    running.decrementAndGet();
                }));
        FakeClaim claim = FakeClaim.of(P0, 0, 100, i -> "same-key");
        queue.consumeClaim(FakeSession.assigned(Set.of(P0)), claim);
        await().atMost(Duration.ofSeconds(20)).until(() -> claim.processed.size() == 100);
        assertTrue(maxRunning.get() > 1, "unordered records of one key should overlap, max " + maxRunning);
    }

    /** A failing key retries with backoff while other keys keep flowing; nothing is marked before success. */
    @Test
    void failedRecordRetriesWithoutBlockingOtherKeys() {
        AtomicInteger attemptsOfBad = new AtomicInteger();
        List<Long> doneOrder = new CopyOnWriteArrayList<>();
        start(QueueWorkerConfig.builder().workers(2).retryPolicy(RetryPolicy.builder()
                        .initialBackoff(Duration.ofMillis(200)).maxBackoff(Duration.ofMillis(400)).build()).build(),
                AsyncConsumeWorker.blocking((id, r) -> {
                    if (r.offset() == 0 && attemptsOfBad.incrementAndGet() <= 3) {
                        throw new IllegalStateException("boom " + attemptsOfBad.get());
                    }
                    doneOrder.add(r.offset());
                }));
        FakeClaim claim = FakeClaim.of(P0, 0, 50, i -> i == 0 || i == 1 ? "bad" : "good" + i);
        queue.consumeClaim(FakeSession.assigned(Set.of(P0)), claim);
        await().atMost(Duration.ofSeconds(10)).until(() -> claim.processed.size() == 48);
        assertFalse(claim.processed.contains(0L), "the failing record must not be marked while it fails");
        assertFalse(claim.processed.contains(1L), "its key's next record waits behind it");
        await().atMost(Duration.ofSeconds(10)).until(() -> claim.processed.size() == 50);
        assertTrue(doneOrder.indexOf(0L) < doneOrder.indexOf(1L), "key order kept across retries");
        assertEquals(4, attemptsOfBad.get(), "three failures, then success");
        assertEquals(3, queue.stats().failedAttempts());
        assertEquals(50, queue.stats().processed());
    }

    @Test
    void asyncWorkRespectsMaxInFlight() {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxInFlight = new AtomicInteger();
        try {
            start(QueueWorkerConfig.builder().workers(1).maxInFlight(16).ordering(OrderingMode.UNORDERED).build(),
                    (id, r) -> {
                        maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                        CompletableFuture<Void> f = new CompletableFuture<>();
                        timer.schedule(() -> {
                            inFlight.decrementAndGet();
                            f.complete(null);
                        }, 5, TimeUnit.MILLISECONDS);
                        return f;
                    });
            FakeClaim claim = FakeClaim.of(P0, 0, 300, i -> null);
            queue.consumeClaim(FakeSession.assigned(Set.of(P0)), claim);
            await().atMost(Duration.ofSeconds(20)).until(() -> claim.processed.size() == 300);
            assertTrue(maxInFlight.get() > 1, "one thread should keep several async items in flight");
            assertTrue(maxInFlight.get() <= 16, "in-flight bound exceeded: " + maxInFlight);
        } finally {
            timer.shutdownNow();
        }
    }

    /** Revoke drops queued records of the partition and waits for its in-flight one. */
    @Test
    void cleanupPurgesQueuedAndWaitsForInFlight() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<Long> done = new CopyOnWriteArrayList<>();
        start(QueueWorkerConfig.builder().workers(1).ordering(OrderingMode.PARTITION).build(),
                AsyncConsumeWorker.blocking((id, r) -> {
                    if (r.partition() == 0 && r.offset() == 0) {
                        started.countDown();
                        release.await();
                    }
                    done.add(r.partition() * 1000L + r.offset());
                }));
        FakeClaim c0 = FakeClaim.of(P0, 0, 20, i -> null);
        queue.consumeClaim(FakeSession.assigned(Set.of(P0, P1)), c0);
        assertTrue(started.await(5, TimeUnit.SECONDS));
        Thread releaser = new Thread(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            release.countDown();
        });
        releaser.start();
        long t0 = System.nanoTime();
        queue.cleanup(FakeSession.revoked(Set.of(P0), Duration.ofSeconds(5)));
        long waitedMs = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(waitedMs >= 200, "cleanup should wait for the in-flight record, waited " + waitedMs);
        assertEquals(List.of(0L), c0.processed, "only the in-flight record completes; queued ones are dropped");
        assertEquals(0, queue.stats().queued());
        FakeClaim c1 = FakeClaim.of(P1, 0, 5, i -> null);
        queue.consumeClaim(FakeSession.assigned(Set.of(P1)), c1);
        await().atMost(Duration.ofSeconds(5)).until(() -> c1.processed.size() == 5);
        releaser.join();
    }

    @Test
    void closeAbandonInterruptsWorkersAndEndsThreads() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        start(QueueWorkerConfig.builder().workers(2).name("closing").build(),
                AsyncConsumeWorker.blocking((id, r) -> {
                    started.countDown();
                    Thread.sleep(60_000);
                }));
        FakeClaim claim = FakeClaim.of(P0, 0, 10, i -> "k" + i);
        queue.consumeClaim(FakeSession.assigned(Set.of(P0)), claim);
        assertTrue(started.await(5, TimeUnit.SECONDS));
        queue.close(Duration.ofSeconds(5), DrainMode.ABANDON);
        queue = null;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            assertFalse(t.getName().startsWith("syncer-worker-closing") && t.isAlive(), "thread left behind: " + t);
        }
        assertTrue(claim.processed.isEmpty());
    }

    @Test
    void exhaustedRetriesHaltThePartitionByDefault() {
        AtomicInteger attempts = new AtomicInteger();
        start(QueueWorkerConfig.builder().workers(1).retryPolicy(RetryPolicy.builder().maxAttempts(3)
                        .initialBackoff(Duration.ofMillis(5)).maxBackoff(Duration.ofMillis(5)).build()).build(),
                AsyncConsumeWorker.blocking((id, r) -> {
                    if (r.offset() == 2) {
                        attempts.incrementAndGet();
                        throw new java.io.IOException("sink down");
                    }
                }));
        FakeClaim claim = FakeClaim.of(P0, 0, 5, i -> "k" + i);
        queue.consumeClaim(FakeSession.assigned(Set.of(P0)), claim);
        await().atMost(Duration.ofSeconds(5)).until(() -> !claim.halts.isEmpty());
        assertEquals(3, attempts.get(), "max attempts, then give up");
        assertTrue(claim.halts.get(0).startsWith("2: retries-exhausted after 3 attempt(s): java.io.IOException: sink down"),
                claim.halts.get(0));
        assertFalse(claim.processed.contains(2L), "a halted record is never marked processed");
        assertEquals(1, queue.stats().halted());
    }

    @Test
    void decodeFailureIsFatalAndNotRetried() {
        AtomicInteger calls = new AtomicInteger();
        DefaultQueueWorker<Doc> docs = new DefaultQueueWorker<>(QueueWorkerConfig.ofDefaults(),
                io.syncer.queue.RecordDecoder.json(Doc.class), AsyncConsumeWorker.blocking((id, doc) -> calls.incrementAndGet()));
        try {
            docs.setup(FakeSession.assigned(Set.of(P0)));
            List<ConsumerRecord<byte[], byte[]>> records = List.of(
                    new ConsumerRecord<>("t", 0, 0, null, "{\"id\":\"a\"}".getBytes(StandardCharsets.UTF_8)),
                    new ConsumerRecord<>("t", 0, 1, null, "{not json".getBytes(StandardCharsets.UTF_8)));
            FakeClaim claim = new FakeClaim(P0, records);
            docs.consumeClaim(FakeSession.assigned(Set.of(P0)), claim);
            await().atMost(Duration.ofSeconds(5)).until(() -> !claim.halts.isEmpty() && claim.processed.size() == 1);
            assertEquals(1, calls.get());
            assertTrue(claim.halts.get(0).startsWith("1: fatal after 1 attempt(s): io.syncer.RecordDecodeException: not a JSON Doc"),
                    claim.halts.get(0));
            assertEquals(1, docs.stats().failedAttempts());
        } finally {
            docs.close(Duration.ofSeconds(5), DrainMode.ABANDON);
        }
    }

    /**
     * The retry budget runs from the first failure: a record that waited longer than maxElapsed before it first
     * failed (held by a sink that could not write, or slow work) still gets its retries (review finding: time held
     * in a sink outage counted against it, so the backlog was dead-lettered at the first error after recovery).
     */
    @Test
    void theRetryBudgetStartsAtTheFirstFailureNotAtTheFirstAttempt() {
        AtomicInteger calls = new AtomicInteger();
        start(QueueWorkerConfig.builder().workers(1).retryPolicy(RetryPolicy.builder().maxAttempts(5)
                        .maxElapsed(Duration.ofMillis(300)).initialBackoff(Duration.ofMillis(10)).maxBackoff(Duration.ofMillis(20))
                        .build()).build(),
                (id, r) -> {
                    int n = calls.incrementAndGet();
                    java.util.concurrent.CompletableFuture<Void> f = new java.util.concurrent.CompletableFuture<>();
                    if (n == 1) {
                        // held 600 ms (twice maxElapsed), then a transient failure
                        java.util.concurrent.CompletableFuture.delayedExecutor(600, java.util.concurrent.TimeUnit.MILLISECONDS)
                                .execute(() -> f.completeExceptionally(new java.io.IOException("throttled")));
                    } else {
                        f.complete(null);
                    }
                    return f;
                });
        FakeClaim claim = new FakeClaim(P0, List.of(record(P0, 0, "k")));
        queue.consumeClaim(FakeSession.assigned(Set.of(P0)), claim);
        await().atMost(Duration.ofSeconds(5)).until(() -> claim.processed.contains(0L) || !claim.halts.isEmpty());
        assertEquals(List.of(), claim.halts, "retried, not given up");
        assertEquals(2, calls.get());
    }

    /**
     * A route to a sink that does not exist (a typo) is a programming error, not bad data: the partition halts with
     * the reason; nothing is dead-lettered or marked processed (issue 16, item 2).
     */
    @Test
    void aRouteToAnUnknownSinkHaltsThePartitionInsteadOfDeadLettering() {
        MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
        KafkaProducers producers = new DefaultKafkaProducers(
                KafkaProducersConfig.builder().bootstrapServers("unused:9092").build(), props -> producer);
        io.syncer.sink.Sink<ConsumerRecord<byte[], byte[]>> es = new io.syncer.sink.Sink<>() {
            @Override
            public String name() {
                return "es";
            }

            @Override
            public java.util.concurrent.CompletionStage<List<io.syncer.sink.SinkResult>> write(
                    List<io.syncer.sink.SinkRecord<ConsumerRecord<byte[], byte[]>>> batch) {
                return java.util.concurrent.CompletableFuture.completedFuture(
                        java.util.Collections.nCopies(batch.size(), io.syncer.sink.SinkResult.ok()));
            }
        };
        io.syncer.internal.sink.SinkBatcher<ConsumerRecord<byte[], byte[]>> batcher = new io.syncer.internal.sink.SinkBatcher<>(es);
        io.syncer.internal.sink.FanOutWorker<ConsumerRecord<byte[], byte[]>> fanOut = new io.syncer.internal.sink.FanOutWorker<>(
                (item, r) -> List.of(io.syncer.sink.Route.to("elastic")), java.util.Map.of("es", batcher),
                io.syncer.sink.UnroutedPolicy.DEAD_LETTER, io.syncer.metrics.SyncerMetrics.NOOP, "g");
        DefaultQueueWorker<io.syncer.internal.sink.Decoded<ConsumerRecord<byte[], byte[]>>> q = new DefaultQueueWorker<>(
                QueueWorkerConfig.builder().workers(2).deadLetterPolicy(DeadLetterPolicy.toTopic(producers, "dlt")).build(),
                io.syncer.internal.sink.Decoded.decoder(RecordDecoder.identity()), fanOut);
        try {
            q.setup(FakeSession.assigned(Set.of(P0)));
            FakeClaim claim = new FakeClaim(P0, List.of(record(P0, 0, "a"), record(P0, 1, "b")));
            q.consumeClaim(FakeSession.assigned(Set.of(P0)), claim);
            await().atMost(Duration.ofSeconds(5)).until(() -> !claim.halts.isEmpty());
            assertTrue(claim.halts.get(0).contains("unknown sink 'elastic'"), claim.halts.get(0));
            assertTrue(claim.halts.get(0).contains("[es]"), "names the sinks there are: " + claim.halts.get(0));
            assertEquals(List.of(), producer.history(), "nothing dead-lettered");
            assertTrue(claim.processed.isEmpty(), "nothing marked processed, so nothing is committed");
        } finally {
            q.close(Duration.ofSeconds(5), DrainMode.ABANDON);
            batcher.close();
        }
    }

    /** The record completes only when the dead-letter write is acknowledged; its key waits meanwhile. */
    @Test
    void deadLetterWriteCompletesTheRecordOnlyWhenAcknowledged() {
        MockProducer<byte[], byte[]> producer = new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
        KafkaProducers producers = new DefaultKafkaProducers(
                KafkaProducersConfig.builder().bootstrapServers("unused:9092").build(), props -> producer);
        List<Long> workedOn = new CopyOnWriteArrayList<>();
        start(QueueWorkerConfig.builder().workers(2).retryPolicy(RetryPolicy.noRetries())
                        .deadLetterPolicy(DeadLetterPolicy.toTopic(producers, r -> r.topic() + ".dlt")).build(),
                AsyncConsumeWorker.blocking((id, r) -> {
                    workedOn.add(r.offset());
                    if ("poison".equals(key(r))) {
                        throw new IllegalStateException("cannot handle");
                    }
                }));
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        records.add(record(P0, 0, "poison"));
        records.add(record(P0, 1, "poison"));
        records.add(record(P0, 2, "fine"));
        FakeClaim claim = new FakeClaim(P0, records);
        queue.consumeClaim(FakeSession.assigned(Set.of(P0)), claim);
        await().atMost(Duration.ofSeconds(5)).until(() -> producer.history().size() == 1 && claim.processed.contains(2L));
        assertFalse(claim.processed.contains(0L), "not complete before the dead-letter write is acknowledged");
        assertFalse(workedOn.contains(1L), "the next record of the same key waits for the dead-letter write");
        producer.completeNext();
        await().atMost(Duration.ofSeconds(5)).until(() -> claim.processed.contains(0L) && producer.history().size() == 2);
        producer.completeNext();
        await().atMost(Duration.ofSeconds(5)).until(() -> claim.processed.size() == 3);

        ProducerRecord<byte[], byte[]> dead = producer.history().get(0);
        assertEquals("t.dlt", dead.topic());
        assertEquals("poison", new String(dead.key(), StandardCharsets.UTF_8));
        assertEquals("v0", new String(dead.value(), StandardCharsets.UTF_8));
        assertEquals("t", header(dead, DeadLetterHeaders.ORIGINAL_TOPIC));
        assertEquals("0", header(dead, DeadLetterHeaders.ORIGINAL_PARTITION));
        assertEquals("0", header(dead, DeadLetterHeaders.ORIGINAL_OFFSET));
        assertEquals("java.lang.IllegalStateException", header(dead, DeadLetterHeaders.EXCEPTION_CLASS));
        assertEquals("cannot handle", header(dead, DeadLetterHeaders.EXCEPTION_MESSAGE));
        assertEquals("1", header(dead, DeadLetterHeaders.ATTEMPTS));
        assertEquals("retries-exhausted", header(dead, DeadLetterHeaders.REASON));
        assertEquals("g", header(dead, DeadLetterHeaders.GROUP));
        assertEquals(2, queue.stats().deadLettered());
        assertTrue(claim.halts.isEmpty());
    }

    @Test
    void fatalDeadLetterWriteHaltsInsteadOfDropping() {
        MockProducer<byte[], byte[]> producer = new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
        KafkaProducers producers = new DefaultKafkaProducers(
                KafkaProducersConfig.builder().bootstrapServers("unused:9092").build(), props -> producer);
        start(QueueWorkerConfig.builder().retryPolicy(RetryPolicy.noRetries())
                        .deadLetterPolicy(DeadLetterPolicy.toTopic(producers, "dlt")).build(),
                AsyncConsumeWorker.blocking((id, r) -> {
                    throw new IllegalStateException("cannot handle");
                }));
        FakeClaim claim = FakeClaim.of(P0, 0, 1, i -> "k");
        queue.consumeClaim(FakeSession.assigned(Set.of(P0)), claim);
        await().atMost(Duration.ofSeconds(5)).until(() -> producer.history().size() == 1);
        producer.errorNext(new org.apache.kafka.common.errors.TopicAuthorizationException("no write access to dlt"));
        await().atMost(Duration.ofSeconds(5)).until(() -> !claim.halts.isEmpty());
        assertTrue(claim.halts.get(0).contains("dead-letter write to dlt failed"), claim.halts.get(0));
        assertTrue(claim.processed.isEmpty());
    }

    private static String header(ProducerRecord<byte[], byte[]> r, String name) {
        return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    /** A JSON item. */
    public static final class Doc {
        public String id;
    }

    /** A claim whose completions are recorded. */
    /**
     * Defect 4 (issue 11): user code that restores the interrupt flag (or throws InterruptedException) must not end
     * the worker thread. With one worker, every later record must still be processed.
     */
    @Test
    void aStrayInterruptFromUserCodeDoesNotEndTheWorkerThread() throws Exception {
        start(QueueWorkerConfig.builder().workers(1).ordering(OrderingMode.UNORDERED).build(), AsyncConsumeWorker.blocking((id, r) -> {
            if (r.offset() == 0 || r.offset() == 2) {
                Thread.currentThread().interrupt(); // a library that restores the flag it swallowed
            }
            if (r.offset() == 3) {
                throw new InterruptedException("user code interrupted");
            }
        }));
        // each record arrives while the only worker waits for work: the wait is where a stray interrupt struck
        List<FakeClaim> claims = new ArrayList<>();
        for (long offset = 0; offset < 5; offset++) {
            FakeClaim claim = new FakeClaim(P0, List.of(record(P0, offset, null)));
            claims.add(claim);
            queue.consumeClaim(FakeSession.assigned(Set.of(P0)), claim);
            if (offset != 3) {
                try {
                    await().atMost(Duration.ofSeconds(5)).until(() -> !claim.processed.isEmpty());
                } catch (RuntimeException e) {
                    throw new AssertionError("record " + claim.records.get(0).offset() + " was never processed", e);
                }
            }
            Thread.sleep(50);
        }
        assertEquals(List.of(), claims.get(3).processed, "the record whose code threw is retried, not processed");
    }

    /**
     * Defect 8 (issue 11): a transient failure inside a decoder (a schema registry timeout) is the classifier's to
     * judge, not fatal by wrapping; a RecordDecodeException stays fatal.
     */
    @Test
    void aTransientDecoderFailureIsRetriedAndADecodeExceptionIsNot() {
        AtomicInteger calls = new AtomicInteger();
        RecordDecoder<ConsumerRecord<byte[], byte[]>> decoder = r -> {
            if (r.offset() == 0 && calls.incrementAndGet() < 3) {
                throw new io.syncer.RetriableSyncerException("schema registry timed out");
            }
            if (r.offset() == 1) {
                throw new io.syncer.RecordDecodeException("not JSON", null);
            }
            return r;
        };
        queue = new DefaultQueueWorker<>(QueueWorkerConfig.builder().workers(1).retryPolicy(RetryPolicy.builder()
                .maxAttempts(5).initialBackoff(Duration.ofMillis(10)).maxBackoff(Duration.ofMillis(10)).build()).build(),
                decoder, AsyncConsumeWorker.blocking((id, r) -> { }));
        queue.setup(FakeSession.assigned(Set.of(P0)));
        FakeClaim claim = FakeClaim.of(P0, 0, 2, i -> null);
        queue.consumeClaim(FakeSession.assigned(Set.of(P0)), claim);
        await().atMost(Duration.ofSeconds(10)).until(() -> claim.processed.contains(0L) && !claim.halts.isEmpty());
        assertEquals(3, calls.get(), "decoded on the third attempt");
        assertTrue(claim.halts.get(0).startsWith("1: fatal after 1 attempt(s)"), claim.halts.toString());
    }

    /**
     * Defect 10 (issue 11): a record that fails while its partition's revoke waits for it must not be retried after
     * the revoke completed (by then the partition's next owner has it). Here the claim is not yet stopped when the
     * retry is due: the window between cleanup's return and the manager closing the tracker.
     */
    @Test
    void aRecordFailingDuringTheRevokeWaitIsNotRetriedAfterTheRevoke() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        CountDownLatch running = new CountDownLatch(1);
        start(QueueWorkerConfig.builder().workers(1).retryPolicy(RetryPolicy.builder().maxAttempts(10)
                        .initialBackoff(Duration.ofMillis(50)).maxBackoff(Duration.ofMillis(50)).build()).build(),
                AsyncConsumeWorker.blocking((id, r) -> {
                    attempts.incrementAndGet();
                    running.countDown();
                    Thread.sleep(200);
                    throw new io.syncer.RetriableSyncerException("transient");
                }));
        FakeClaim claim = FakeClaim.of(P0, 0, 1, i -> null);
        queue.consumeClaim(FakeSession.assigned(Set.of(P0)), claim);
        assertTrue(running.await(5, TimeUnit.SECONDS));
        queue.cleanup(FakeSession.revoked(Set.of(P0), Duration.ofSeconds(5)));
        Thread.sleep(300); // several backoffs: a retry would have run by now
        assertEquals(1, attempts.get(), "no attempt after the revoke");
        assertEquals(List.of(), claim.processed);
    }

    /**
     * Defect 2 of issue 11: work that runs past a revoke's wait can tell, before writing outputs, that its record
     * is no longer its partition's owner's to write (the pipeline's fan-out checks this).
     */
    @Test
    void workRunningPastARevokeSeesItsRecordDisowned() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        List<Boolean> seen = new CopyOnWriteArrayList<>();
        start(QueueWorkerConfig.builder().workers(1).build(), AsyncConsumeWorker.blocking((id, r) -> {
            seen.add(WorkerContext.currentRecordDisowned());
            started.countDown();
            release.await();
            seen.add(WorkerContext.currentRecordDisowned());
        }));
        queue.consumeClaim(FakeSession.assigned(Set.of(P0)), FakeClaim.of(P0, 0, 1, i -> null));
        assertTrue(started.await(5, TimeUnit.SECONDS));
        queue.cleanup(FakeSession.revoked(Set.of(P0), Duration.ofMillis(100))); // gives up waiting for it
        release.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 2);
        assertEquals(List.of(false, true), seen, "owned while it started, disowned after the revoke");
        assertFalse(WorkerContext.currentRecordDisowned(), "off a worker call: nothing is disowned");
    }

    static final class FakeClaim implements PartitionClaim {
        final TopicPartition tp;
        final List<ConsumerRecord<byte[], byte[]>> records;
        final List<Long> processed = new CopyOnWriteArrayList<>();
        final List<String> halts = new CopyOnWriteArrayList<>();
        volatile boolean revoked;

        FakeClaim(TopicPartition tp, List<ConsumerRecord<byte[], byte[]>> records) {
            this.tp = tp;
            this.records = records;
        }

        static FakeClaim of(TopicPartition tp, long first, int count, java.util.function.IntFunction<String> keys) {
            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                records.add(record(tp, first + i, keys.apply(i)));
            }
            return new FakeClaim(tp, records);
        }

        @Override
        public TopicPartition topicPartition() {
            return tp;
        }

        @Override
        public List<ConsumerRecord<byte[], byte[]>> records() {
            return records;
        }

        @Override
        public boolean markProcessed(ConsumerRecord<byte[], byte[]> record) {
            if (processed.contains(record.offset())) {
                throw new AssertionError("marked twice: " + record.offset());
            }
            return processed.add(record.offset());
        }

        @Override
        public void halt(ConsumerRecord<byte[], byte[]> record, String reason) {
            halts.add(record.offset() + ": " + reason);
            revoked = true;
        }

        @Override
        public void giveBack(ConsumerRecord<byte[], byte[]> record) {
            halts.add(record.offset() + ": given back");
            revoked = true;
        }

        @Override
        public boolean isStopped() {
            return revoked;
        }
    }

    record FakeSession(Set<TopicPartition> assignment, Set<TopicPartition> addedPartitions,
                       Set<TopicPartition> revokedPartitions, Duration revokeTimeout) implements GroupSession {
        static FakeSession assigned(Set<TopicPartition> tps) {
            return new FakeSession(tps, tps, Set.of(), Duration.ofSeconds(1));
        }

        static FakeSession revoked(Set<TopicPartition> tps, Duration timeout) {
            return new FakeSession(Set.of(), Set.of(), tps, timeout);
        }

        @Override
        public String groupId() {
            return "g";
        }

        @Override
        public boolean partitionsLost() {
            return false;
        }

        @Override
        public SyncerMetrics metrics() {
            return SyncerMetrics.NOOP;
        }
    }

    /** A session whose group bounds its queue at {@code maxQueuedRecords}. */
    record BoundedSession(GroupSession delegate, int maxQueuedRecords) implements GroupSession {
        @Override
        public String groupId() {
            return delegate.groupId();
        }

        @Override
        public Set<TopicPartition> assignment() {
            return delegate.assignment();
        }

        @Override
        public Set<TopicPartition> addedPartitions() {
            return delegate.addedPartitions();
        }

        @Override
        public Set<TopicPartition> revokedPartitions() {
            return delegate.revokedPartitions();
        }

        @Override
        public boolean partitionsLost() {
            return delegate.partitionsLost();
        }

        @Override
        public Duration revokeTimeout() {
            return delegate.revokeTimeout();
        }

        @Override
        public SyncerMetrics metrics() {
            return delegate.metrics();
        }
    }
}
