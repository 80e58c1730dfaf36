package io.syncer.internal.sink;

import io.syncer.SyncerException;
import io.syncer.internal.util.NamedThreadFactory;
import io.syncer.sink.BatchPolicy;
import io.syncer.sink.Sink;
import io.syncer.sink.SinkRecord;
import io.syncer.sink.SinkResult;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Batches records for one {@link Sink} by count, bytes and linger, with at most
 * {@code maxInFlight} batches being written, and hands each record its own result.
 *
 * <p>Concurrency: {@link #submit} is called from worker threads; one lock guards the open batch and
 * the queue of sealed batches. Batches are written outside the lock, by the submitting thread or the
 * linger timer ({@code syncer-sink-<name>}), or by the thread completing an earlier write. The sink
 * is called through {@link #write}, the choke point that turns anything it throws into results.
 */
public final class SinkBatcher<T> {
    private final Sink<T> sink;
    private final BatchPolicy policy;
    private final ScheduledExecutorService timer;
    private final Object lock = new Object();
    private final ArrayDeque<List<Pending<T>>> sealed = new ArrayDeque<>();
    private List<Pending<T>> open = new ArrayList<>();
    private long openBytes;
    private ScheduledFuture<?> lingerTask;
    private int inFlight;
    private final LongAdder batches = new LongAdder();
    /** Continuations of writes: inline on syncer's threads, handed to the sink's thread from a client's. */
    private final java.util.concurrent.Executor continuations = NamedThreadFactory.inlineOnOwnedThreads(this::runOnTimer);

    public SinkBatcher(Sink<T> sink) {
        this.sink = sink;
        this.policy = sink.batchPolicy();
        this.timer = Executors.newSingleThreadScheduledExecutor(new NamedThreadFactory("syncer-sink-" + sink.name(), true));
    }

    public Sink<T> sink() {
        return sink;
    }

    /** Batches written so far. */
    public long batches() {
        return batches.sum();
    }

    /** Adds a record to the open batch; completes with its own result. */
    public CompletableFuture<SinkResult> submit(SinkRecord<T> record) {
        Pending<T> pending = new Pending<>(record);
        synchronized (lock) {
            open.add(pending);
            openBytes += record.sizeBytes();
            if (open.size() >= policy.maxRecords() || openBytes >= policy.maxBytes()) {
                seal();
            } else if (open.size() == 1) {
                if (policy.linger().isZero()) {
                    seal();
                } else {
                    lingerTask = timer.schedule(this::flushOnLinger, policy.linger().toNanos(), TimeUnit.NANOSECONDS);
                }
            }
        }
        dispatch();
        return pending;
    }

    private void flushOnLinger() {
        synchronized (lock) {
            if (!open.isEmpty()) {
                seal();
            }
        }
        dispatch();
    }

    /** Moves the open batch to the sealed queue; lock held. */
    private void seal() {
        sealed.add(open);
        open = new ArrayList<>();
        openBytes = 0;
        if (lingerTask != null) {
            lingerTask.cancel(false);
            lingerTask = null;
        }
    }

    private void dispatch() {
        while (true) {
            List<Pending<T>> batch;
            synchronized (lock) {
                if (inFlight >= policy.maxInFlight() || sealed.isEmpty()) {
                    return;
                }
                batch = sealed.poll();
                inFlight++;
            }
            write(batch);
        }
    }

    /** The choke point for the sink's code. */
    private void write(List<Pending<T>> batch) {
        batches.increment();
        List<SinkRecord<T>> records = new ArrayList<>(batch.size());
        for (Pending<T> p : batch) {
            records.add(p.record);
        }
        CompletionStage<List<SinkResult>> stage;
        try {
            stage = sink.write(records);
            if (stage == null) {
                throw new SyncerException("sink " + sink.name() + " returned no stage from write");
            }
        } catch (Throwable t) {
            stage = CompletableFuture.failedFuture(t);
        }
        // Continue on the sink's own thread, never on a client's I/O thread: the next write may block.
        stage.whenCompleteAsync((results, error) -> {
            try {
                complete(batch, results, error);
            } finally {
                synchronized (lock) {
                    inFlight--;
                }
                dispatch();
            }
        }, continuations);
    }

    private void runOnTimer(Runnable task) {
        try {
            timer.execute(task);
        } catch (RuntimeException closed) {
            task.run();
        }
    }

    private void complete(List<Pending<T>> batch, List<SinkResult> results, Throwable error) {
        if (error == null && (results == null || results.size() != batch.size())) {
            error = new SyncerException("sink " + sink.name() + " returned " + (results == null ? "no" : results.size())
                    + " results for " + batch.size() + " records");
        }
        if (error != null) {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            SinkResult failure = cause instanceof SyncerException && !((SyncerException) cause).isRetriable()
                    ? SinkResult.fail(cause) : SinkResult.retry(cause);
            for (Pending<T> p : batch) {
                p.complete(failure);
            }
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            SinkResult r = results.get(i);
            batch.get(i).complete(r == null ? SinkResult.retry(new SyncerException(
                    "sink " + sink.name() + " returned a null result")) : r);
        }
    }

    /** Writes what is open now, stops the linger timer and closes the sink. */
    public void close() {
        flushOnLinger();
        timer.shutdownNow();
        sink.close();
    }

    /** A record waiting in a batch, and its result (one object per record, not two). */
    private static final class Pending<T> extends CompletableFuture<SinkResult> {
        final SinkRecord<T> record;

        Pending(SinkRecord<T> record) {
            this.record = record;
        }
    }
}
