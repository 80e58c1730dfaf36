package io.syncer.internal.sink;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.syncer.SyncerException;
import io.syncer.metrics.SyncerMetrics;
import io.syncer.sink.BatchPolicy;
import io.syncer.sink.Route;
import io.syncer.sink.Sink;
import io.syncer.sink.SinkRecord;
import io.syncer.sink.SinkResult;
import io.syncer.sink.SinkWriteException;
import io.syncer.sink.UnroutedPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class SinkBatcherAndFanOutTest {
    private final List<SinkBatcher<String>> open = new ArrayList<>();

    @AfterEach
    void close() {
        for (SinkBatcher<String> b : open) {
            b.close();
        }
    }

    private static ConsumerRecord<byte[], byte[]> record(long offset) {
        return new ConsumerRecord<>("t", 0, offset, null, new byte[100]);
    }

    /** A sink that records its batches and answers with {@code outcome(value)}. */
    private static final class FakeSink implements Sink<String> {
        final String name;
        final BatchPolicy policy;
        final Function<String, SinkResult> outcome;
        final List<List<String>> batches = new CopyOnWriteArrayList<>();
        final List<CompletableFuture<List<SinkResult>>> held = new CopyOnWriteArrayList<>();
        volatile boolean hold;
        volatile boolean keepsOrder;

        FakeSink(String name, BatchPolicy policy, Function<String, SinkResult> outcome) {
            this.name = name;
            this.policy = policy;
            this.outcome = outcome;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public BatchPolicy batchPolicy() {
            return policy;
        }

        @Override
        public boolean keepsKeyOrderInBatch() {
            return keepsOrder;
        }

        @Override
        public CompletionStage<List<SinkResult>> write(List<SinkRecord<String>> batch) {
            List<String> values = new ArrayList<>();
            List<SinkResult> results = new ArrayList<>();
            for (SinkRecord<String> r : batch) {
                values.add(r.value() + (r.destination() == null ? "" : "->" + r.destination()));
                results.add(outcome.apply(r.value()));
            }
            batches.add(values);
            CompletableFuture<List<SinkResult>> f = new CompletableFuture<>();
            if (hold) {
                held.add(f);
                f = f.thenApply(ignored -> results);
                return f;
            }
            f.complete(results);
            return f;
        }
    }

    private static io.syncer.sink.SinkOutage outage(SinkBatcher<String> b) {
        List<io.syncer.sink.SinkOutage> all = b.outages();
        return all.isEmpty() ? null : all.get(0);
    }

    private SinkBatcher<String> batcher(FakeSink sink) {
        SinkBatcher<String> b = new SinkBatcher<>(sink);
        open.add(b);
        return b;
    }

    @Test
    void batchesByCountThenByLinger() {
        FakeSink sink = new FakeSink("s", BatchPolicy.builder().maxRecords(3).linger(Duration.ofMillis(100)).build(),
                v -> SinkResult.ok());
        SinkBatcher<String> b = batcher(sink);
        List<CompletableFuture<SinkResult>> results = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            results.add(b.submit(new SinkRecord<>("v" + i, null, record(i))));
        }
        assertEquals(List.of(List.of("v0", "v1", "v2"), List.of("v3", "v4", "v5")), sink.batches, "full batches go at once");
        await().atMost(Duration.ofSeconds(2)).until(() -> sink.batches.size() == 3);
        assertEquals(List.of("v6"), sink.batches.get(2), "the rest goes after the linger");
        results.forEach(f -> assertEquals(SinkResult.Status.OK, f.join().status()));
    }

    @Test
    void statsCountEachRecordsResultByOutcome() {
        FakeSink sink = new FakeSink("s", BatchPolicy.builder().maxRecords(4).linger(Duration.ofMillis(50)).build(),
                v -> v.equals("v1") ? SinkResult.retry(new RuntimeException("busy"))
                        : v.equals("v2") ? SinkResult.fail(new RuntimeException("bad row")) : SinkResult.ok());
        SinkBatcher<String> b = batcher(sink);
        List<CompletableFuture<SinkResult>> results = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            results.add(b.submit(new SinkRecord<>("v" + i, null, record(i))));
        }
        results.forEach(CompletableFuture::join);
        assertEquals(new io.syncer.sink.SinkStats("s", 2, 4, 1, 1, 0), b.stats(),
                "2 batches (4 + 2 records): 4 written, v1 to retry, v2 failed, nothing held");
    }

    @Test
    void batchesByBytesAndLimitsBatchesInFlight() {
        FakeSink sink = new FakeSink("s", BatchPolicy.builder().maxRecords(100).maxBytes(250).maxInFlight(1)
                .linger(Duration.ofSeconds(5)).build(), v -> SinkResult.ok());
        sink.hold = true;
        SinkBatcher<String> b = batcher(sink);
        for (int i = 0; i < 9; i++) {
            b.submit(new SinkRecord<>("v" + i, null, record(i))); // 100 bytes each: 3 per batch
        }
        assertEquals(1, sink.batches.size(), "one batch in flight at most");
        assertEquals(3, sink.batches.get(0).size());
        sink.held.get(0).complete(null);
        await().until(() -> sink.batches.size() == 2);
        sink.held.get(1).complete(null);
        await().until(() -> sink.batches.size() == 3);
    }

    /**
     * A deferred record frees its batch's in-flight slot at once (with one batch in flight, the next batch is written
     * while it waits) and settles with the stage's result later; an unavailable or failed stage counts as a retry.
     */
    @Test
    void aDeferredResultFreesTheBatchAndSettlesLater() {
        CompletableFuture<SinkResult> later = new CompletableFuture<>();
        CompletableFuture<SinkResult> broken = new CompletableFuture<>();
        FakeSink sink = new FakeSink("s", BatchPolicy.builder().maxRecords(2).maxInFlight(1).linger(Duration.ZERO).build(),
                v -> v.equals("v0") ? SinkResult.deferred(later) : v.equals("v1") ? SinkResult.deferred(broken) : SinkResult.ok());
        SinkBatcher<String> b = batcher(sink);
        CompletableFuture<SinkResult> v0 = b.submit(new SinkRecord<>("v0", null, record(0)));
        CompletableFuture<SinkResult> v1 = b.submit(new SinkRecord<>("v1", null, record(1)));
        CompletableFuture<SinkResult> v2 = b.submit(new SinkRecord<>("v2", null, record(2)));
        // no linger: one record a batch, and with one batch in flight each was written while the deferred ones wait
        await().atMost(Duration.ofSeconds(5)).until(() -> sink.batches.size() == 3);
        assertEquals(SinkResult.Status.OK, v2.join().status(), "the last batch was written while v0 and v1 wait");
        assertFalse(v0.isDone());
        assertFalse(v1.isDone());
        later.complete(SinkResult.ok());
        broken.complete(SinkResult.unavailable(new IllegalStateException("down")));
        assertEquals(SinkResult.Status.OK, v0.join().status());
        assertEquals(SinkResult.Status.RETRY, v1.join().status(), "no outage hold for a deferred record: a retry");
        assertTrue(b.outages().isEmpty());
        CompletableFuture<?> failing = batcher(new FakeSink("f", BatchPolicy.builder().linger(Duration.ZERO).build(),
                v -> SinkResult.deferred(CompletableFuture.failedFuture(new IllegalStateException("lost")))))
                .submitOutcome(new SinkRecord<>("x", null, record(3)));
        assertThrows(java.util.concurrent.CompletionException.class, failing::join, "a failed stage fails the record retriably");
    }

    /**
     * Defect 2 of issue 11: records of a revoked (or, after an aborted transaction, rewound) partition that still
     * wait in a sink batch are dropped, answered retriable, and never written; other partitions' records stay.
     */
    @Test
    void discardDropsTheWaitingRecordsOfRevokedPartitionsOnly() {
        FakeSink sink = new FakeSink("s", BatchPolicy.builder().maxRecords(100).linger(Duration.ofMillis(300)).build(),
                v -> SinkResult.ok());
        SinkBatcher<String> b = batcher(sink);
        CompletableFuture<SinkResult> p0 = b.submit(new SinkRecord<>("p0", null, new ConsumerRecord<>("t", 0, 1, null, new byte[1])));
        CompletableFuture<SinkResult> p1 = b.submit(new SinkRecord<>("p1", null, new ConsumerRecord<>("t", 1, 1, null, new byte[1])));
        b.discard(java.util.Set.of(new org.apache.kafka.common.TopicPartition("t", 0)));
        assertEquals(SinkResult.Status.RETRY, p0.join().status(), "dropped at once");
        assertFalse(p1.isDone());
        await().atMost(Duration.ofSeconds(5)).until(p1::isDone);
        assertEquals(List.of(List.of("p1")), sink.batches, "only the other partition's record was written");
    }

    @Test
    void aThrowingSinkFailsItsBatchRetriablyUnlessFatal() {
        Sink<String> throwing = new Sink<>() {
            @Override
            public String name() {
                return "throwing";
            }

            @Override
            public BatchPolicy batchPolicy() {
                return BatchPolicy.builder().maxRecords(1).build();
            }

            @Override
            public CompletionStage<List<SinkResult>> write(List<SinkRecord<String>> batch) {
                if (batch.get(0).value().equals("fatal")) {
                    throw new SyncerException("mapping rejected");
                }
                throw new IllegalStateException("connection refused");
            }
        };
        SinkBatcher<String> b = new SinkBatcher<>(throwing);
        open.add(b);
        assertEquals(SinkResult.Status.RETRY, b.submit(new SinkRecord<>("x", null, record(0))).join().status());
        assertEquals(SinkResult.Status.FAIL, b.submit(new SinkRecord<>("fatal", null, record(1))).join().status());
    }

    /** A retried record is written again only to the sink that failed it; the worst outcome wins. */
    /** Issue 14, target 4: a run of one key's records shares one batch, even when the open batch has no room for it. */
    @Test
    void aRunSharesOneBatchAndTheOpenBatchIsSealedFirstWhenTheRunDoesNotFit() {
        FakeSink sink = new FakeSink("s", BatchPolicy.builder().maxRecords(5).linger(Duration.ofMillis(200)).build(),
                v -> SinkResult.ok());
        sink.keepsOrder = true;
        SinkBatcher<String> b = batcher(sink);
        List<CompletableFuture<SinkResult>> results = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            results.add(b.submit(new SinkRecord<>("v" + i, null, record(i))));
        }
        List<SinkRecord<String>> run = new ArrayList<>();
        for (int i = 3; i < 7; i++) {
            run.add(new SinkRecord<>("k" + i, null, record(i)));
        }
        results.addAll(b.submitRun(run));
        assertEquals(List.of(List.of("v0", "v1", "v2")), sink.batches, "the open batch goes first: the run does not fit");
        await().atMost(Duration.ofSeconds(2)).until(() -> sink.batches.size() == 2);
        assertEquals(List.of("k3", "k4", "k5", "k6"), sink.batches.get(1), "the run in one batch, in order");
        results.forEach(f -> assertEquals(SinkResult.Status.OK, f.join().status()));
    }

    /**
     * Issue 14, target 4: when a record of a run is not written, the records after it in the same batch were written
     * out of the key's order; they are answered retriable so that they are written again after it. After a record
     * that failed for good (dead-lettered, never written again) the later ones keep their own result.
     */
    @Test
    void recordsOfARunAfterOneThatWasNotWrittenAreWrittenAgainButNotAfterAFatalOne() {
        FakeSink sink = new FakeSink("s", BatchPolicy.builder().linger(Duration.ZERO).build(),
                v -> v.startsWith("retry") ? SinkResult.retry(new IllegalStateException("throttled"))
                        : v.startsWith("fatal") ? SinkResult.fail(new IllegalArgumentException("mapping")) : SinkResult.ok());
        sink.keepsOrder = true;
        SinkBatcher<String> b = batcher(sink);
        List<SinkResult.Status> statuses = new ArrayList<>();
        for (CompletableFuture<SinkResult> f : b.submitRun(List.of(new SinkRecord<>("a", null, record(0)),
                new SinkRecord<>("retry-b", null, record(1)), new SinkRecord<>("c", null, record(2)),
                new SinkRecord<>("d", null, record(3))))) {
            statuses.add(f.join().status());
        }
        assertEquals(List.of(SinkResult.Status.OK, SinkResult.Status.RETRY, SinkResult.Status.RETRY,
                SinkResult.Status.RETRY), statuses);
        statuses.clear();
        for (CompletableFuture<SinkResult> f : b.submitRun(List.of(new SinkRecord<>("fatal-a", null, record(4)),
                new SinkRecord<>("b", null, record(5))))) {
            statuses.add(f.join().status());
        }
        assertEquals(List.of(SinkResult.Status.FAIL, SinkResult.Status.OK), statuses);
        // records submitted one by one are not a run: each keeps its own result
        assertEquals(SinkResult.Status.RETRY, b.submit(new SinkRecord<>("retry-x", null, record(6))).join().status());
        assertEquals(SinkResult.Status.OK, b.submit(new SinkRecord<>("y", null, record(7))).join().status());
    }

    /**
     * Issue 14, target 4: the fan-out writes a run in chunks of what the sink has in flight, a chunk only after the one
     * before it is written, and a record routed to a sink that does not keep a key's order as a chunk of its own.
     */
    @Test
    void aRunIsWrittenChunkAfterChunkAndARecordForASinkWithoutKeyOrderGoesAlone() throws Exception {
        FakeSink ordered = new FakeSink("ordered", BatchPolicy.builder().maxRecords(3).linger(Duration.ofMillis(50))
                .maxInFlight(1).build(), v -> SinkResult.ok());
        ordered.keepsOrder = true;
        ordered.hold = true;
        FakeSink plain = new FakeSink("plain", BatchPolicy.builder().linger(Duration.ZERO).build(), v -> SinkResult.ok());
        Map<String, SinkBatcher<String>> batchers = new LinkedHashMap<>();
        batchers.put("ordered", batcher(ordered));
        batchers.put("plain", batcher(plain));
        FanOutWorker<String> fanOut = new FanOutWorker<>((v, r) -> v.startsWith("p") ? List.of(Route.to("ordered"),
                Route.to("plain")) : List.of(Route.to("ordered")), batchers, UnroutedPolicy.DEAD_LETTER,
                SyncerMetrics.NOOP, "g");
        assertEquals(3, fanOut.maxRun(), "what the sink keeping a key's order has in flight: 3 records x 1 batch");
        List<FanOutWorker.Prepared<String>> run = new ArrayList<>();
        for (String v : List.of("a", "b", "c", "d", "p", "e")) {
            run.add(fanOut.prepare(0, new Decoded<>(v, record(run.size()))));
        }
        List<CompletableFuture<?>> outcomes = fanOut.submitRun(run);
        assertEquals(List.of(List.of("a", "b", "c")), ordered.batches, "a full chunk goes at once; nothing else yet");
        ordered.held.get(0).complete(null);
        await().atMost(Duration.ofSeconds(2)).until(() -> ordered.batches.size() == 2);
        assertEquals(List.of("d"), ordered.batches.get(1), "the next chunk stops before the record routed to 'plain'");
        Thread.sleep(200);
        assertEquals(2, ordered.batches.size(), "the chunk after it waits for this one");
        ordered.held.get(1).complete(null);
        await().atMost(Duration.ofSeconds(2)).until(() -> ordered.batches.size() == 3);
        assertEquals(List.of("p"), ordered.batches.get(2));
        ordered.held.get(2).complete(null);
        await().atMost(Duration.ofSeconds(2)).until(() -> ordered.batches.size() == 4);
        assertEquals(List.of("e"), ordered.batches.get(3));
        ordered.held.get(3).complete(null);
        for (CompletableFuture<?> f : outcomes) {
            f.get(2, java.util.concurrent.TimeUnit.SECONDS);
        }
        assertEquals(List.of(List.of("p")), plain.batches);
    }

    @Test
    void fanOutRewritesOnlyTheSinksThatFailedAndTheWorstOutcomeWins() throws Exception {
        AtomicInteger badAttempts = new AtomicInteger();
        FakeSink good = new FakeSink("good", BatchPolicy.builder().linger(Duration.ZERO).build(), v -> SinkResult.ok());
        FakeSink flaky = new FakeSink("flaky", BatchPolicy.builder().linger(Duration.ZERO).build(),
                v -> v.equals("bad") && badAttempts.incrementAndGet() < 3
                        ? SinkResult.retry(new IllegalStateException("throttled")) : SinkResult.ok());
        FakeSink strict = new FakeSink("strict", BatchPolicy.builder().linger(Duration.ZERO).build(),
                v -> v.equals("reject") ? SinkResult.fail(new IllegalArgumentException("mapping")) : SinkResult.ok());
        Map<String, SinkBatcher<String>> batchers = new LinkedHashMap<>();
        for (FakeSink s : List.of(good, flaky, strict)) {
            batchers.put(s.name, batcher(s));
        }
        FanOutWorker<String> fanOut = new FanOutWorker<>((v, r) -> v.equals("nowhere") ? List.of()
                : List.of(Route.to("good", "idx-" + v), Route.to("flaky"), Route.to("strict")),
                batchers, UnroutedPolicy.DEAD_LETTER, SyncerMetrics.NOOP, "g");

        Decoded<String> bad = new Decoded<>("bad", record(1));
        for (int attempt = 1; attempt <= 2; attempt++) {
            CompletionException e = assertThrows(CompletionException.class,
                    () -> fanOut.consume(0, bad).toCompletableFuture().join());
            assertTrue(e.getCause() instanceof SyncerException s && s.isRetriable(), String.valueOf(e.getCause()));
        }
        fanOut.consume(0, bad).toCompletableFuture().join();
        assertEquals(1, good.batches.stream().filter(b -> b.contains("bad->idx-bad")).count(),
                "the sink that accepted the record is not written again on retry");
        assertEquals(3, flaky.batches.stream().filter(b -> b.contains("bad")).count());

        CompletionException fatal = assertThrows(CompletionException.class,
                () -> fanOut.consume(0, new Decoded<>("reject", record(2))).toCompletableFuture().join());
        assertTrue(fatal.getCause() instanceof SyncerException && !((SyncerException) fatal.getCause()).isRetriable(),
                "a fatal result beats the others: " + fatal.getCause());

        SyncerException unrouted = assertThrows(SyncerException.class, () -> fanOut.consume(0, new Decoded<>("nowhere", record(3))));
        assertTrue(unrouted.getMessage().contains("no route"));
    }

    /**
     * A sink's failure names the sink even when the sink's error does not (a Kafka producer's
     * RecordTooLargeException, say): with several sinks, the dead letter must say which one refused the record.
     */
    @Test
    void aSinksFailureNamesTheSinkEvenWhenItsErrorDoesNot() {
        FakeSink good = new FakeSink("good", BatchPolicy.builder().linger(Duration.ZERO).build(), v -> SinkResult.ok());
        FakeSink strict = new FakeSink("strict", BatchPolicy.builder().linger(Duration.ZERO).build(),
                v -> SinkResult.fail(new IllegalArgumentException("too large")));
        Map<String, SinkBatcher<String>> batchers = new LinkedHashMap<>();
        for (FakeSink s : List.of(good, strict)) {
            batchers.put(s.name, batcher(s));
        }
        for (List<Route> routes : List.of(List.of(Route.to("good"), Route.to("strict")), List.of(Route.to("strict")))) {
            FanOutWorker<String> fanOut = new FanOutWorker<>((v, r) -> routes, batchers, UnroutedPolicy.DEAD_LETTER,
                    SyncerMetrics.NOOP, "g");
            CompletionException e = assertThrows(CompletionException.class,
                    () -> fanOut.consume(0, new Decoded<>("v", record(routes.size()))).toCompletableFuture().join());
            SinkWriteException named = null;
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof SinkWriteException w) {
                    named = w;
                }
            }
            assertTrue(named != null && named.sink().equals("strict"), routes + ": " + e.getCause());
            assertTrue(!named.isRetriable(), "still fatal");
            assertTrue(named.getCause() instanceof IllegalArgumentException, "the sink's own error is the cause");
        }
    }

    /**
     * A sink that answers UNAVAILABLE (bad credentials) holds its records: none completes, none is
     * failed, one probe at a time is written with a growing backoff, and the outage is reported;
     * once a write succeeds every held record completes OK.
     */
    @Test
    void anUnavailableSinkHoldsItsRecordsProbesOneBatchAtATimeAndRecovers() {
        java.util.concurrent.atomic.AtomicBoolean down = new java.util.concurrent.atomic.AtomicBoolean(true);
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxProbesInFlight = new AtomicInteger();
        java.util.concurrent.atomic.AtomicReference<SinkBatcher<String>> self = new java.util.concurrent.atomic.AtomicReference<>();
        List<Long> writeTimes = new CopyOnWriteArrayList<>();
        Sink<String> sink = new Sink<>() {
            @Override
            public String name() {
                return "cls";
            }

            @Override
            public BatchPolicy batchPolicy() {
                return BatchPolicy.builder().maxRecords(2).linger(Duration.ZERO).maxInFlight(4)
                        .unavailableBackoff(Duration.ofMillis(50), Duration.ofMillis(200)).build();
            }

            @Override
            public CompletionStage<List<SinkResult>> write(List<SinkRecord<String>> batch) {
                writeTimes.add(System.nanoTime());
                int now = inFlight.incrementAndGet();
                if (outage(self.get()) != null) {
                    maxProbesInFlight.accumulateAndGet(now, Math::max);
                }
                List<SinkResult> results = new ArrayList<>();
                for (SinkRecord<String> r : batch) {
                    results.add(down.get() ? SinkResult.unavailable(new IllegalStateException("AuthFailure: auth failed"))
                            : SinkResult.ok());
                }
                return CompletableFuture.supplyAsync(() -> {
                    inFlight.decrementAndGet();
                    return results;
                }, CompletableFuture.delayedExecutor(5, java.util.concurrent.TimeUnit.MILLISECONDS));
            }
        };
        SinkBatcher<String> b = new SinkBatcher<>(sink);
        self.set(b);
        open.add(b);
        List<CompletableFuture<SinkResult>> results = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            results.add(b.submit(new SinkRecord<>("v" + i, null, record(i))));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> outage(b) != null && outage(b).probes() >= 4);
        assertTrue(results.stream().noneMatch(CompletableFuture::isDone), "no record completes while the sink is down");
        io.syncer.sink.SinkOutage outage = outage(b);
        assertEquals("cls", outage.sink());
        assertTrue(outage.reason().contains("AuthFailure"), outage.reason());
        assertEquals(10, outage.heldRecords(), "every record is held");
        assertEquals(1, maxProbesInFlight.get(), "during the outage one batch at a time is written");
        down.set(false);
        for (CompletableFuture<SinkResult> f : results) {
            assertEquals(SinkResult.Status.OK, f.join().status());
        }
        assertEquals(null, outage(b), "the outage ends with the first good write");
        assertTrue(writeTimes.size() >= 5 + 3, "the first wave of 5 batches, then probes: " + writeTimes.size());
    }

    @Test
    void closingDuringAnOutageCompletesHeldRecordsRetriablyNeverAsFailed() {
        FakeSink sink = new FakeSink("down", BatchPolicy.builder().maxRecords(1).linger(Duration.ZERO)
                .unavailableBackoff(Duration.ofSeconds(10), Duration.ofSeconds(10)).build(),
                v -> SinkResult.unavailable(new IllegalStateException("table missing")));
        SinkBatcher<String> b = new SinkBatcher<>(sink);
        CompletableFuture<SinkResult> first = b.submit(new SinkRecord<>("a", null, record(0)));
        await().until(() -> outage(b) != null);
        CompletableFuture<SinkResult> second = b.submit(new SinkRecord<>("b", null, record(1)));
        assertEquals(1, sink.batches.size(), "nothing more is written during the outage before the probe");
        b.close();
        assertEquals(SinkResult.Status.RETRY, first.join().status());
        assertEquals(SinkResult.Status.RETRY, second.join().status());
        assertTrue(first.join().error().getMessage().contains("table missing"), first.join().error().getMessage());
    }

    /**
     * One destination that cannot take writes (a tenant's missing table) holds only its own records: the other
     * destinations' records complete, the held ones are probed alone and complete once the destination is back.
     */
    @Test
    void anUnavailableDestinationHoldsOnlyItsRecords() {
        java.util.concurrent.atomic.AtomicBoolean tableMissing = new java.util.concurrent.atomic.AtomicBoolean(true);
        List<List<String>> writes = new CopyOnWriteArrayList<>();
        Sink<String> sink = new Sink<>() {
            @Override
            public String name() {
                return "ch";
            }

            @Override
            public BatchPolicy batchPolicy() {
                return BatchPolicy.builder().maxRecords(4).linger(Duration.ZERO)
                        .unavailableBackoff(Duration.ofMillis(50), Duration.ofMillis(100)).build();
            }

            @Override
            public CompletionStage<List<SinkResult>> write(List<SinkRecord<String>> batch) {
                List<String> seen = new ArrayList<>();
                List<SinkResult> results = new ArrayList<>();
                for (SinkRecord<String> r : batch) {
                    seen.add(r.destination());
                    results.add("t_new".equals(r.destination()) && tableMissing.get()
                            ? SinkResult.destinationUnavailable(new IllegalStateException("Code: 60 table t_new missing"))
                            : SinkResult.ok());
                }
                writes.add(seen);
                return CompletableFuture.completedFuture(results);
            }
        };
        SinkBatcher<String> b = new SinkBatcher<>(sink);
        open.add(b);
        List<CompletableFuture<SinkResult>> newTenant = new ArrayList<>();
        List<CompletableFuture<SinkResult>> others = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String table = i % 3 == 0 ? "t_new" : "t_" + (i % 3);
            CompletableFuture<SinkResult> f = b.submit(new SinkRecord<>("v" + i, table, record(i)));
            (table.equals("t_new") ? newTenant : others).add(f);
        }
        for (CompletableFuture<SinkResult> f : others) {
            assertEquals(SinkResult.Status.OK, f.join().status(), "the other tables are written during the outage");
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> outage(b) != null && outage(b).probes() >= 3);
        assertTrue(newTenant.stream().noneMatch(CompletableFuture::isDone), "the missing table's records are held");
        io.syncer.sink.SinkOutage o = outage(b);
        assertEquals("t_new", o.destination());
        assertEquals(4, o.heldRecords());
        for (CompletableFuture<SinkResult> f : List.of(b.submit(new SinkRecord<>("late", "t_1", record(99))))) {
            assertEquals(SinkResult.Status.OK, f.join().status(), "a new record of another table is not held");
        }
        tableMissing.set(false);
        for (CompletableFuture<SinkResult> f : newTenant) {
            assertEquals(SinkResult.Status.OK, f.join().status());
        }
        assertEquals(null, outage(b));
        for (List<String> w : writes.subList(1, writes.size())) {
            if (w.contains("t_new")) {
                assertEquals(java.util.Set.of("t_new"), java.util.Set.copyOf(w), "probes hold only the missing table's records");
            }
        }
    }

    @Test
    void theBackoffDoublesToItsLongestAndNeverOverflows() {
        SinkBatcher<String> b = batcher(new FakeSink("s", BatchPolicy.builder()
                .unavailableBackoff(Duration.ofSeconds(10), Duration.ofSeconds(30)).build(), v -> SinkResult.ok()));
        assertEquals(Duration.ofSeconds(10).toNanos(), b.backoffNanos(1));
        assertEquals(Duration.ofSeconds(20).toNanos(), b.backoffNanos(2));
        assertEquals(Duration.ofSeconds(30).toNanos(), b.backoffNanos(3));
        for (long probes : new long[] {31, 32, 63, 64, 1_000, Long.MAX_VALUE}) {
            assertEquals(Duration.ofSeconds(30).toNanos(), b.backoffNanos(probes), "probe " + probes);
        }
    }

    @Test
    void aSinkOutageDegradesTheGroupHealth() {
        io.syncer.consume.GroupHealth running = new io.syncer.consume.GroupHealth(io.syncer.consume.ManagerState.RUNNING,
                java.util.Set.of(), java.util.Set.of(), Map.of(), java.util.Set.of(), Map.of(), 0, 0, null);
        assertTrue(running.isHealthy());
        io.syncer.consume.GroupHealth degraded = running.withSinkOutages(Map.of("cls",
                new io.syncer.sink.SinkOutage("cls", null, "AuthFailure", java.time.Instant.now(), 3, 42)));
        assertEquals(io.syncer.consume.ManagerState.DEGRADED, degraded.state());
        assertTrue(!degraded.isHealthy());
        assertEquals(42, degraded.sinkOutages().get("cls").heldRecords());
    }

    /** A pipeline closes its sinks once however often it is closed (a shutdown hook after an explicit close). */
    @Test
    void closingAPipelineTwiceClosesItsSinksOnce() {
        AtomicInteger closes = new AtomicInteger();
        Sink<String> sink = new Sink<>() {
            @Override
            public String name() {
                return "s";
            }

            @Override
            public CompletionStage<List<SinkResult>> write(List<SinkRecord<String>> batch) {
                return CompletableFuture.completedFuture(java.util.Collections.nCopies(batch.size(), SinkResult.ok()));
            }

            @Override
            public void close() {
                closes.incrementAndGet();
            }
        };
        io.syncer.Syncer syncer = io.syncer.Syncer.builder(io.syncer.queue.RecordDecoder.utf8Value())
                .consumer(io.syncer.consume.ConsumerGroupConfig.builder().groupId("g").topics("t")
                        .bootstrapServers("localhost:1").build())
                .sink(sink).build();
        syncer.close(Duration.ofSeconds(5));
        syncer.close(Duration.ofSeconds(5));
        assertEquals(1, closes.get());
    }
}
