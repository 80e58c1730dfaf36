package io.syncer.internal.queue;

import io.syncer.ConfigurationException;
import io.syncer.RecordDecodeException;
import io.syncer.RetriableSyncerException;
import io.syncer.SyncerException;
import io.syncer.consume.DrainMode;
import io.syncer.consume.GroupSession;
import io.syncer.consume.PartitionClaim;
import io.syncer.failure.DeadLetterHeaders;
import io.syncer.failure.DeadLetterPolicy;
import io.syncer.internal.util.Mdc;
import io.syncer.internal.util.NamedThreadFactory;
import io.syncer.metrics.SyncerMetrics;
import io.syncer.queue.AsyncConsumeWorker;
import io.syncer.queue.OrderingMode;
import io.syncer.queue.QueueWorker;
import io.syncer.queue.QueueWorkerConfig;
import io.syncer.queue.QueueWorkerStats;
import io.syncer.queue.RecordDecoder;
import io.syncer.trace.TraceScope;
import io.syncer.trace.TraceSpan;
import io.syncer.trace.Tracing;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link QueueWorker} implementation: a keyed scheduler drained by N worker threads.
 *
 * <p>Design. Queued records wait in a {@link ShardQueue} by ordering key: a key runs one record at a time, in
 * arrival order, and the key whose head record arrived first gets the next free worker. A failed record keeps its
 * key busy during the backoff (so its key waits) but frees its worker and in-flight slot (so other keys do not); the
 * same holds while a record that gave up is being written to the dead-letter topic. In KEY order, with a
 * {@link RunWorker}, a key's queued records go to the worker as one run ({@link #executeRun}).
 *
 * <p>Failure path: {@link #execute} → {@link #fail} (classify; retry with backoff while the policy
 * allows) → {@link #giveUp} (dead-letter write, or halt) → the record completes only when the
 * dead-letter write is acknowledged. Nothing is acknowledged and dropped.
 *
 * <p>Concurrency. One lock guards the shard queue and the counters. User code (decoder,
 * worker) runs outside the lock, through {@link #execute}, the single choke point that catches
 * everything it throws. Completions may arrive on any thread (the stage's).
 */
public final class DefaultQueueWorker<T> implements QueueWorker<T> {
    private static final Logger LOG = LoggerFactory.getLogger(DefaultQueueWorker.class);

    private final QueueWorkerConfig config;
    private final Tracing tracing;
    private final RecordDecoder<T> decoder;
    private final AsyncConsumeWorker<T> worker;
    /** The worker as a {@link RunWorker} in KEY order when it takes runs of a key's records, else {@code null}. */
    private final RunWorker<T, Object> runWorker;
    /** The longest run of one key's records handed over at once; 1 when runs are off. */
    private final int maxRun;
    /**
     * The longest run this group allows: half its queue bound, so while one run of a hot key is written the next one
     * is admitted (a run holds its records' share of the bound until their outcomes); set at setup, lock held.
     */
    private int runLimit;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition workAvailable = lock.newCondition();
    private final Condition itemFinished = lock.newCondition();
    /** The queued records by ordering key. Guarded by the lock. */
    private final ShardQueue shards;
    private final Map<TopicPartition, int[]> runningByPartition = new HashMap<>();
    /**
     * Revokes per partition; each queued record holds its partition's counter, read without the lock where a
     * completion checks whether the record was disowned (a map lookup per record was 8 % of P1's worker samples).
     * Guarded by the lock; counters are never removed.
     */
    private final Map<TopicPartition, AtomicInteger> revocations = new HashMap<>();
    /** Items waiting for a retry or a dead-letter write, so a revoke can disown them. */
    private final Set<QueuedRecord> parkedItems = new HashSet<>();
    /** Items off the workers but holding their shard: waiting for a retry or a dead-letter write. */
    private long parked;
    private int inFlight;
    private boolean started;
    private boolean stopping;
    private Thread[] threads = new Thread[0];
    private ScheduledExecutorService retryTimer;
    private ExecutorService deadLetterThread;
    private ExecutorService completionThread;
    /** Continuations of asynchronous work: inline on syncer's threads, handed off from any other. */
    private final java.util.concurrent.Executor continuations = NamedThreadFactory.inlineOnOwnedThreads(this::handOff);
    private String group = "";
    /** Whether the record's log context is set around the decoder and the worker; from the group's session. */
    private volatile boolean logContext;
    private SyncerMetrics metrics = SyncerMetrics.NOOP;

    private final LongAdder processed = new LongAdder();
    private final LongAdder failedAttempts = new LongAdder();
    private final LongAdder deadLettered = new LongAdder();
    private final LongAdder halted = new LongAdder();

    public DefaultQueueWorker(QueueWorkerConfig config, RecordDecoder<T> decoder, AsyncConsumeWorker<T> worker) {
        this.config = config;
        this.shards = new ShardQueue(config.ordering());
        this.tracing = config.tracing();
        this.decoder = decoder;
        this.worker = worker;
        RunWorker<T, Object> runs = null;
        if (config.ordering() == OrderingMode.KEY && worker instanceof RunWorker<?, ?> candidate && candidate.maxRun() > 1) {
            @SuppressWarnings("unchecked")
            RunWorker<T, Object> typed = (RunWorker<T, Object>) candidate;
            runs = typed;
        }
        this.runWorker = runs;
        this.maxRun = runs == null ? 1 : runs.maxRun();
        this.runLimit = maxRun;
    }

    @Override
    public QueueWorkerConfig config() {
        return config;
    }

    @Override
    public QueueWorkerStats stats() {
        lock.lock();
        try {
            return new QueueWorkerStats(shards.queued() + parked, inFlight, processed.sum(), failedAttempts.sum(),
                    deadLettered.sum(), halted.sum());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void setup(GroupSession session) {
        lock.lock();
        try {
            if (started || stopping) {
                return;
            }
            started = true;
            group = session.groupId();
            logContext = session.logContext();
            metrics = session.metrics();
            runLimit = Math.max(1, Math.min(maxRun, session.maxQueuedRecords() / 2));
            // a key with a backlog goes ahead by the records that run meanwhile, by at most one queue bound
            int bound = session.maxQueuedRecords() == Integer.MAX_VALUE
                    ? io.syncer.consume.ConsumerGroupConfig.DEFAULT_MAX_QUEUED_RECORDS : session.maxQueuedRecords();
            shards.backlogBonus(config.maxInFlight(), bound, ShardQueue.BONUS_FROM);
            String prefix = "syncer-worker-" + config.name();
            threads = new Thread[config.workers()];
            for (int i = 0; i < threads.length; i++) {
                int workerId = i;
                threads[i] = NamedThreadFactory.newThread(prefix + "-" + i, false, () -> runWorker(workerId));
            }
            retryTimer = Executors.newSingleThreadScheduledExecutor(
                    new NamedThreadFactory("syncer-retry-" + config.name(), true));
            for (Thread t : threads) {
                t.start();
            }
        } finally {
            lock.unlock();
        }
        metrics.bindQueue(group, config.name(), this::stats);
    }

    @Override
    public void consumeClaim(GroupSession session, PartitionClaim claim) {
        if (!started) {
            setup(session);
        }
        TopicPartition tp = claim.topicPartition();
        lock.lock();
        try {
            if (stopping) {
                return; // never marked processed: re-delivered to the next owner
            }
            AtomicInteger revokes = revokesOf(tp);
            for (ConsumerRecord<byte[], byte[]> record : claim.records()) {
                shards.add(record, claim, tp, revokes);
            }
            workAvailable.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void cleanup(GroupSession session) {
        Set<TopicPartition> revoked = session.revokedPartitions();
        if (revoked.isEmpty()) {
            return;
        }
        long deadline = System.nanoTime() + session.revokeTimeout().toNanos();
        lock.lock();
        try {
            for (TopicPartition tp : revoked) {
                // every item of this assignment is disowned from now on: one failing during the wait below, or
                // parked for a retry, is not retried (the partition's next owner has it)
                revokesOf(tp).incrementAndGet();
            }
            int dropped = shards.purge(revoked);
            while (running(revoked) > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    LOG.warn("queue {}: {} records of revoked partitions still in flight after {}; "
                            + "their completions will be ignored and they will be re-delivered",
                            config.name(), running(revoked), session.revokeTimeout());
                    break;
                }
                itemFinished.awaitNanos(left);
            }
            LOG.debug("queue {}: revoked {}, dropped {} queued records", config.name(), revoked, dropped);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close(Duration timeout, DrainMode mode) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            stopping = true;
            shards.clear();
            workAvailable.signalAll();
        } finally {
            lock.unlock();
        }
        if (mode == DrainMode.ABANDON) {
            for (Thread t : threads) {
                t.interrupt();
            }
        }
        boolean interrupted = false;
        for (Thread t : threads) {
            try {
                long left = deadline - System.nanoTime();
                if (left > 0) {
                    TimeUnit.NANOSECONDS.timedJoin(t, left);
                }
                if (t.isAlive()) {
                    LOG.warn("worker thread {} still busy at the close deadline; interrupting it", t.getName());
                    t.interrupt();
                    t.join(1000);
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (retryTimer != null) {
            retryTimer.shutdownNow();
        }
        lock.lock();
        try {
            if (deadLetterThread != null) {
                deadLetterThread.shutdownNow();
            }
            if (completionThread != null) {
                completionThread.shutdown();
            }
        } finally {
            lock.unlock();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void workLoop(int workerId) {
        while (true) {
            QueuedRecord item;
            java.util.List<QueuedRecord> run = null;
            lock.lock();
            try {
                while (!stopping && (noneReady() || inFlight >= config.maxInFlight())) {
                    workAvailable.await();
                }
                if (stopping) {
                    return;
                }
                item = shards.takeNext();
                inFlight++;
                item.running = runningByPartition.computeIfAbsent(item.tp, k -> new int[1]);
                item.running[0]++;
                if (maxRun > 1) {
                    run = takeRun(item);
                }
            } catch (InterruptedException e) {
                if (stopping) {
                    return; // close interrupts workers
                }
                LOG.warn("queue {}: worker {} was interrupted outside close (user code that restored the interrupt"
                        + " flag?); the interrupt is cleared and the worker goes on", config.name(), workerId);
                continue;
            } finally {
                lock.unlock();
            }
            if (run == null) {
                execute(workerId, item);
            } else {
                executeRun(workerId, run);
            }
            if (Thread.interrupted() && !isStopping()) {
                // user code left the flag set: the next wait would take it for close's and end this thread
                LOG.debug("queue {}: cleared a stray interrupt after {}", config.name(), coordinates(item.record));
            }
        }
    }

    /** A worker's thread body: a thread that ends other than by close is logged and replaced. */
    private void runWorker(int workerId) {
        try {
            workLoop(workerId);
        } catch (Throwable t) {
            lock.lock();
            try {
                if (stopping) {
                    return;
                }
                LOG.error("queue {}: worker thread {} died; starting a new one", config.name(), workerId, t);
                Thread replacement = NamedThreadFactory.newThread("syncer-worker-" + config.name() + "-" + workerId, false,
                        () -> runWorker(workerId));
                threads[workerId] = replacement;
                replacement.start();
            } finally {
                lock.unlock();
            }
        }
    }

    /** The choke point for user code: everything the decoder or worker throws is caught here. */
    private void execute(int workerId, QueuedRecord item) {
        if (item.claim.isStopped(item.record)) {
            endSpan(item, TraceSpan.RELEASED, null);
            finish(item, false);
            return;
        }
        if (item.span == TraceSpan.NOOP && tracing != Tracing.NOOP) {
            item.span = startSpan(item.record);
        }
        // the record's span is current around the decoder, the worker and the sink calls made for it, and the
        // scope is closed after: a reused worker thread carries no context into the next record
        TraceScope scope = item.span.makeCurrent();
        try {
            if (!logContext) {
                decodeAndConsume(workerId, item);
                return;
            }
            // the record's coordinates in the MDC around the decoder and the worker, cleared after (a reused thread)
            Mdc.record(group, item.record);
            try {
                decodeAndConsume(workerId, item);
            } finally {
                Mdc.clear();
            }
        } finally {
            scope.close();
        }
    }

    private TraceSpan startSpan(ConsumerRecord<byte[], byte[]> record) {
        try {
            TraceSpan span = tracing.startRecord(group, record);
            return span == null ? TraceSpan.NOOP : span;
        } catch (RuntimeException e) {
            LOG.warn("queue {}: tracing could not start the span of {}; it runs untraced: {}", config.name(),
                    coordinates(record), e.toString());
            return TraceSpan.NOOP;
        }
    }

    /** Ends the record's span with its outcome, once. */
    private static void endSpan(QueuedRecord item, String outcome, Throwable error) {
        TraceSpan span = item.span;
        if (span != TraceSpan.NOOP) {
            item.span = TraceSpan.NOOP;
            try {
                span.end(outcome, error);
            } catch (RuntimeException e) {
                LOG.warn("tracing failed to end a span: {}", e.toString());
            }
        }
    }

    private void decodeAndConsume(int workerId, QueuedRecord item) {
        T value;
        try {
            value = decoder.decode(item.record);
        } catch (Throwable t) {
            if (t instanceof InterruptedException) {
                Thread.currentThread().interrupt(); // cleared after the record, like a worker's
            }
            fail(item, decodeFailure(item, t));
            return;
        }
        CompletionStage<?> stage;
        Current current = CURRENT.get();
        current.queue = this;
        current.item = item;
        try {
            stage = worker.consume(workerId, value);
        } catch (Throwable t) {
            if (t instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            fail(item, t);
            return;
        } finally {
            current.queue = null;
            current.item = null;
        }
        if (stage == null) {
            succeed(item);
        } else {
            // A success is booked on the completing thread: it only takes this queue's and the claim's locks
            // and frees the key, so the key's next record reaches a worker after one thread hop, not two (a
            // hot key runs at its serial floor). A failure never continues there: the completing thread may be
            // a client's I/O thread (a Kafka producer's), where a dead-letter send that waits for metadata
            // would deadlock; it goes to syncer's completion thread.
            stage.whenComplete((ignored, error) -> {
                if (error == null) {
                    succeed(item);
                } else {
                    continuations.execute(() -> fail(item, unwrap(error)));
                }
            });
        }
    }

    /**
     * A decoder's throw as the item's failure: a RecordDecodeException is the record's fault (fatal); anything else
     * is the classifier's to judge (a schema registry timeout is worth a retry), with the record's coordinates.
     */
    private Throwable decodeFailure(QueuedRecord item, Throwable t) {
        String why = "cannot decode " + coordinates(item.record) + ": " + t;
        return t instanceof RecordDecodeException ? t : config.errorClassifier().isRetriable(t)
                ? new RetriableSyncerException(why, t) : new RecordDecodeException(why, t);
    }

    private void succeed(QueuedRecord item) {
        book(item);
        finish(item, false);
    }

    /** Books a processed item: its span, its offset, the counters; its slot and shard are the caller's. */
    private void book(QueuedRecord item) {
        endSpan(item, TraceSpan.PROCESSED, null);
        if (item.claim.markProcessed(item.record)) {
            metrics.recordProcessed(group, item.tp);
        }
        processed.increment();
    }

    // ------------------------------------------------------------------ runs of one key (KEY order, a RunWorker)

    /**
     * Takes the records queued behind {@code first} in its shard, of the same assignment (polls of it alike), as one run (up to the
     * worker's longest run, half the group's queue bound and the free in-flight slots), or {@code null} when there are none; lock held, and
     * {@code first} already counted in flight.
     */
    private java.util.List<QueuedRecord> takeRun(QueuedRecord first) {
        java.util.List<QueuedRecord> run = shards.takeRun(first, Math.min(runLimit, config.maxInFlight() - inFlight + 1));
        if (run != null) {
            int more = run.size() - 1;
            inFlight += more;
            first.running[0] += more;
            for (int i = 1; i < run.size(); i++) {
                run.get(i).running = first.running;
            }
        }
        return run;
    }


    /**
     * Runs a key's consecutive records as one run: decodes and prepares each in order with its own context (a
     * failure stops the run there), submits what was prepared at once, and books the outcomes in order when all
     * are in ({@link #completeRun}).
     */
    private void executeRun(int workerId, java.util.List<QueuedRecord> run) {
        java.util.List<Object> prepared = new java.util.ArrayList<>(run.size());
        Throwable stopError = null;
        boolean claimStopped = false;
        for (QueuedRecord item : run) {
            if (item.claim.isStopped(item.record)) {
                claimStopped = true;
                break;
            }
            if (item.span == TraceSpan.NOOP && tracing != Tracing.NOOP) {
                item.span = startSpan(item.record);
            }
            TraceScope scope = item.span.makeCurrent();
            if (logContext) {
                Mdc.record(group, item.record);
            }
            Current current = CURRENT.get();
            boolean decoded = false;
            try {
                T value = decoder.decode(item.record);
                decoded = true;
                current.queue = this;
                current.item = item;
                prepared.add(runWorker.prepare(workerId, value));
            } catch (Throwable t) {
                if (t instanceof InterruptedException) {
                    Thread.currentThread().interrupt(); // cleared after the run, like a worker's
                }
                stopError = decoded ? t : decodeFailure(item, t);
            } finally {
                current.queue = null;
                current.item = null;
                if (logContext) {
                    Mdc.clear();
                }
                scope.close();
            }
            if (stopError != null) {
                break;
            }
        }
        java.util.List<CompletableFuture<?>> stages;
        if (prepared.isEmpty()) {
            stages = java.util.List.of();
        } else {
            try {
                stages = runWorker.submitRun(prepared);
            } catch (Throwable t) {
                CompletableFuture<?> failed = CompletableFuture.failedFuture(t);
                stages = java.util.Collections.nCopies(prepared.size(), failed);
            }
        }
        int stop = prepared.size();
        Throwable stopWhy = stopError;
        boolean released = claimStopped;
        java.util.List<CompletableFuture<?>> outcomes = stages;
        CompletableFuture.allOf(outcomes.toArray(new CompletableFuture<?>[0])).whenComplete((ignored, error) -> {
            if (error == null && stop == run.size()) {
                completeRun(run, outcomes, stop, null, false); // all done: booked here, like a single record's success
            } else {
                continuations.execute(() -> completeRun(run, outcomes, stop, stopWhy, released));
            }
        });
    }

    /**
     * Books a run's outcomes in the key's order: the records before the first failure as processed, the first
     * failure through {@link #fail}, and every record after it back into the key's queue behind it (not an attempt:
     * written again after the failed one, so the key's order holds in the destination). {@code stop} is where
     * preparing stopped: {@code stopError} failed that record, or its claim was stopped ({@code released}).
     */
    private void completeRun(java.util.List<QueuedRecord> run, java.util.List<CompletableFuture<?>> stages, int stop,
                             Throwable stopError, boolean released) {
        int failedAt = stop;
        Throwable failure = stopError;
        for (int i = 0; i < stages.size(); i++) {
            Throwable error = failureOf(stages.get(i));
            if (error != null) {
                failedAt = i;
                failure = error;
                break;
            }
        }
        int last = run.size() - 1;
        int booked = Math.min(failedAt, last);
        for (int i = 0; i < booked; i++) {
            book(run.get(i));
        }
        finishInRun(run, booked);
        if (failedAt > last) {
            succeed(run.get(last));
            return;
        }
        putBack(run, failedAt + 1);
        QueuedRecord first = run.get(failedAt);
        if (failure == null) {
            endSpan(first, TraceSpan.RELEASED, null); // its claim was stopped: the partition's next owner has it
            finish(first, false);
        } else {
            fail(first, failure);
        }
    }

    /** The failure a completed stage ended with, or {@code null}. */
    private static Throwable failureOf(CompletableFuture<?> stage) {
        if (!stage.isCompletedExceptionally()) {
            return null;
        }
        try {
            stage.join();
            return null;
        } catch (CompletionException | java.util.concurrent.CancellationException e) {
            return unwrap(e);
        }
    }

    /** The run's first {@code count} records are done and booked: frees their in-flight slots (the shard stays busy). */
    private void finishInRun(java.util.List<QueuedRecord> run, int count) {
        if (count == 0) {
            return;
        }
        lock.lock();
        try {
            inFlight -= count;
            for (int i = 0; i < count; i++) {
                decrementRunning(run.get(i));
            }
            if (!noneReady()) {
                workAvailable.signal();
            }
            itemFinished.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Puts the run's records from {@code from} on back at the front of their shard, in order; the shard stays busy. */
    private void putBack(java.util.List<QueuedRecord> run, int from) {
        lock.lock();
        try {
            for (int i = run.size() - 1; i >= from; i--) {
                QueuedRecord item = run.get(i);
                inFlight--;
                decrementRunning(item);
                if (stopping || disowned(item) || item.claim.isStopped(item.record)) {
                    endSpan(item, TraceSpan.RELEASED, null); // the partition's next owner has it
                } else {
                    shards.putBackFirst(item);
                }
            }
            itemFinished.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The item left its worker: one fewer running of its partition (the counter it took in {@link #workLoop}). */
    private void decrementRunning(QueuedRecord item) {
        int[] running = item.running;
        item.running = null;
        if (running != null && --running[0] == 0) {
            runningByPartition.remove(item.tp, running);
        }
    }

    private void fail(QueuedRecord item, Throwable error) {
        failedAttempts.increment();
        if (item.attempts == 0) {
            // the retry budget runs from the first failure: time spent waiting (in the queue, or held by a sink
            // that could not write) is not time spent retrying
            item.firstAttemptNanos = System.nanoTime();
        }
        item.attempts++;
        if (find(error, GivenBackException.class) != null && !disowned(item)) {
            // a sink in an outage gave it back as the pipeline closes: not retried, not dead-lettered, and the drain
            // does not wait for it; the partition's next owner gets it again
            item.claim.giveBack(item.record);
            endSpan(item, TraceSpan.RELEASED, error);
            finish(item, false);
            return;
        }
        if (isStopping() || item.claim.isStopped(item.record) || disowned(item)) {
            endSpan(item, TraceSpan.RELEASED, error);
            finish(item, false); // not retried here: re-delivered to the partition's next owner
            return;
        }
        boolean retriable = config.errorClassifier().isRetriable(error);
        Duration elapsed = Duration.ofNanos(System.nanoTime() - item.firstAttemptNanos);
        if (retriable && config.retryPolicy().shouldRetry(item.attempts, elapsed)) {
            long delayMs = config.retryPolicy().backoff(item.attempts).toMillis();
            if (!item.claim.canRetryInPlace(item.record, Duration.ofMillis(delayMs))) {
                // a share group's lock leaves no room for the backoff
                if (item.claim.canRedeliver(item.record)) {
                    LOG.warn("queue {}: attempt {} for {} failed; its lock leaves no room for a {} ms backoff, so it is"
                            + " released for the broker to deliver again: {}", config.name(), item.attempts,
                            coordinates(item.record), delayMs, error.toString());
                    metrics.recordRetried(group, item.tp);
                    item.claim.giveBack(item.record);
                    endSpan(item, TraceSpan.RELEASED, error);
                    finish(item, false);
                } else {
                    // its last delivery: released, the broker would archive it (gone before Kafka 4.4)
                    finish(item, true);
                    giveUp(item, error, "delivery-limit");
                }
                return;
            }
            LOG.warn("queue {}: attempt {} for {} failed, retrying in {} ms: {}", config.name(), item.attempts,
                    coordinates(item.record), delayMs, error.toString());
            metrics.recordRetried(group, item.tp);
            item.span.retrying(item.attempts, error);
            finish(item, true);
            schedule(() -> requeue(item), delayMs);
        } else {
            finish(item, true);
            giveUp(item, error, retriable ? "retries-exhausted" : "fatal");
        }
    }

    /** Retries are over or the failure is fatal: dead-letter the record or halt its partition. */
    private void giveUp(QueuedRecord item, Throwable error, String reason) {
        DeadLetterPolicy policy = config.deadLetterPolicy();
        ConfigurationException misconfigured = find(error, ConfigurationException.class);
        if (misconfigured != null) {
            // the application is at fault, not the record: dead-lettering would empty the stream and commit it
            halt(item, "configuration error: " + misconfigured.getMessage());
            return;
        }
        if (policy.kind() == DeadLetterPolicy.Kind.HALT) {
            halt(item, reason + " after " + item.attempts + " attempt(s): " + error);
            return;
        }
        String topic;
        ProducerRecord<byte[], byte[]> dead;
        try {
            topic = policy.topicFor(item.record);
            dead = DeadLetterRecords.of(topic, item.record, group, item.attempts, item.span, error, reason);
        } catch (Throwable t) {
            halt(item, "could not build the dead-letter record: " + t);
            return;
        }
        LOG.warn("queue {}: {} gave up ({}, {} attempt(s)): {}; writing it to dead-letter topic {}", config.name(),
                coordinates(item.record), reason, item.attempts, error.toString(), topic);
        writeDeadLetter(item, error, reason, topic, dead);
    }

    /** Sends the dead letter; once acknowledged, the record counts as processed. */
    private void writeDeadLetter(QueuedRecord item, Throwable error, String reason, String topic, ProducerRecord<byte[], byte[]> dead) {
        DeadLetterPolicy policy = config.deadLetterPolicy();
        // send() can block for metadata: off the worker and completion threads, on the dead-letter thread
        CompletableFuture.supplyAsync(() -> policy.producers().sendAsync(dead), deadLetterExecutor())
                .thenCompose(f -> f)
                .whenCompleteAsync((metadata, sendError) -> {
            RecordTooLargeException tooLarge = sendError == null ? null : find(sendError, RecordTooLargeException.class);
            if (tooLarge != null && dead.headers().lastHeader(DeadLetterHeaders.OMITTED) == null) {
                // the original's payload made it too large: the dead letter goes without it rather than halting
                LOG.warn("queue {}: the dead letter of {} is too large for {} ({}); writing it without the original's"
                        + " key, value and headers", config.name(), coordinates(item.record), topic, tooLarge.getMessage());
                writeDeadLetter(item, error, reason, topic, DeadLetterRecords.withoutPayload(dead, item.record, tooLarge));
            } else if (sendError == null) {
                endSpan(item, TraceSpan.DEAD_LETTERED, error);
                if (item.claim.markProcessed(item.record)) {
                    metrics.recordDeadLettered(group, item.tp);
                }
                deadLettered.increment();
                unpark(item);
            } else if (isStopping() || item.claim.isStopped(item.record) || disowned(item)) {
                endSpan(item, TraceSpan.RELEASED, sendError);
                unpark(item); // revoked or closing: the record is re-delivered to the partition's next owner
            } else if (config.errorClassifier().isRetriable(sendError)) {
                long delayMs = config.retryPolicy().maxBackoff().toMillis();
                LOG.warn("queue {}: dead-letter write of {} to {} failed, retrying in {} ms: {}", config.name(),
                        coordinates(item.record), topic, delayMs, sendError.toString());
                schedule(() -> writeDeadLetter(item, error, reason, topic, dead), delayMs);
            } else {
                halt(item, "dead-letter write to " + topic + " failed: " + unwrap(sendError));
            }
        }, continuations);
    }

    private Executor deadLetterExecutor() {
        lock.lock();
        try {
            if (deadLetterThread == null) {
                deadLetterThread = Executors.newSingleThreadExecutor(new NamedThreadFactory("syncer-deadletter-" + config.name(), true));
            }
            return deadLetterThread;
        } finally {
            lock.unlock();
        }
    }

    private void halt(QueuedRecord item, String reason) {
        LOG.error("queue {}: halting {} at offset {}: {}", config.name(), item.tp, item.record.offset(), reason);
        item.claim.halt(item.record, reason);
        halted.increment();
        if (item.span != TraceSpan.NOOP) {
            endSpan(item, TraceSpan.HALTED, new SyncerException(reason));
        }
        unpark(item);
    }

    static <E extends Throwable> E find(Throwable error, Class<E> type) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String coordinates(ConsumerRecord<byte[], byte[]> r) {
        return r.topic() + "-" + r.partition() + "@" + r.offset();
    }

    private boolean isStopping() {
        lock.lock();
        try {
            return stopping;
        } finally {
            lock.unlock();
        }
    }

    private void handOff(Runnable task) {
        ExecutorService executor;
        lock.lock();
        try {
            if (completionThread == null) {
                completionThread = Executors.newSingleThreadExecutor(new NamedThreadFactory("syncer-complete-" + config.name(), true));
            }
            executor = completionThread;
        } finally {
            lock.unlock();
        }
        try {
            executor.execute(task);
        } catch (RuntimeException closed) {
            task.run(); // closing: the task sees 'stopping' and releases the item
        }
    }

    private void schedule(Runnable task, long delayMs) {
        try {
            retryTimer.schedule(task, delayMs, TimeUnit.MILLISECONDS);
        } catch (RuntimeException rejected) {
            task.run(); // timer shut down by close: the task sees 'stopping' and releases the item
        }
    }

    /** Releases the item's worker slot; with {@code park} the shard stays busy (retry or dead letter). */
    private void finish(QueuedRecord item, boolean park) {
        lock.lock();
        try {
            inFlight--;
            decrementRunning(item);
            if (park) {
                parked++;
                parkedItems.add(item);
            } else {
                release(item.shard);
            }
            if (!noneReady()) {
                // a waiting worker can go on only if there is ready work; waking one per completion for
                // nothing cost an unpark per record when every record waits in a sink batch
                workAvailable.signal();
            }
            itemFinished.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** A parked item is done (dead-lettered or halted): free its shard. */
    private void unpark(QueuedRecord item) {
        lock.lock();
        try {
            parked--;
            parkedItems.remove(item);
            release(item.shard);
            workAvailable.signal();
        } finally {
            lock.unlock();
        }
    }

    private void requeue(QueuedRecord item) {
        lock.lock();
        try {
            parked--;
            parkedItems.remove(item);
            if (stopping || disowned(item) || item.claim.isStopped(item.record)) {
                endSpan(item, TraceSpan.RELEASED, null);
                release(item.shard);
                if (!noneReady()) {
                    workAvailable.signal(); // release may have made the shard ready (a re-delivered record joined it)
                }
                return;
            }
            shards.retry(item);
            workAvailable.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Marks a shard idle: back to ready if it has items, forgotten otherwise. Lock held. */
    private void release(Shard shard) {
        if (stopping) {
            shard.busy = false; // the shard queue was cleared
            return;
        }
        shards.release(shard);
    }

    /** Whether no shard is ready. Lock held. */
    private boolean noneReady() {
        return shards.noneReady();
    }

    private int running(Set<TopicPartition> partitions) {
        int n = 0;
        for (TopicPartition tp : partitions) {
            int[] r = runningByPartition.get(tp);
            n += r == null ? 0 : r[0];
        }
        return n;
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }


    /** What this worker thread runs now, for {@link WorkerContext}; one holder per thread, no allocation per record. */
    private static final ThreadLocal<Current> CURRENT = ThreadLocal.withInitial(Current::new);

    private static final class Current {
        DefaultQueueWorker<?> queue;
        QueuedRecord item;
    }

    /** The span of the record the calling worker thread runs; {@link TraceSpan#NOOP} off a worker call. */
    static TraceSpan currentSpan() {
        Current c = CURRENT.get();
        return c.item == null ? TraceSpan.NOOP : c.item.span;
    }

    /** Whether the record the calling worker thread runs was disowned; {@code false} off a worker call. */
    static boolean currentRecordDisowned() {
        Current c = CURRENT.get();
        return c.queue != null && (c.queue.disowned(c.item) || c.item.claim.isStopped(c.item.record));
    }

    /** The partition's count of revokes; lock held. */
    private AtomicInteger revokesOf(TopicPartition tp) {
        return revocations.computeIfAbsent(tp, k -> new AtomicInteger());
    }

    /** Whether the item's partition was revoked since it was queued: it is the next owner's now. */
    private boolean disowned(QueuedRecord item) {
        return item.revokes.get() != item.epoch;
    }


}
