package io.syncer.internal.sink;

import io.syncer.SyncerException;
import io.syncer.internal.util.NamedThreadFactory;
import io.syncer.sink.BatchPolicy;
import io.syncer.sink.Sink;
import io.syncer.sink.SinkRecord;
import io.syncer.sink.SinkOutage;
import io.syncer.sink.SinkResult;
import java.time.Instant;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Batches records for one {@link Sink} by count, bytes and linger, with at most
 * {@code maxInFlight} batches being written, and hands each record its own result.
 *
 * <p>Concurrency: {@link #submit} is called from worker threads; one lock guards the open batch and
 * the queue of sealed batches. Batches are written outside the lock, by the submitting thread or the
 * linger timer ({@code syncer-sink-<name>}), or by the thread completing an earlier write. The sink
 * is called through {@link #write}, the choke point that turns anything it throws into results.
 *
 * <p>Outages. Records the sink answers {@link SinkResult.Status#UNAVAILABLE} for are not completed:
 * they are held, and the batcher enters an outage. During it, one batch at a time is written (a
 * probe: the held records first), after a backoff that doubles from
 * {@link BatchPolicy#unavailableBackoff()} to {@link BatchPolicy#maxUnavailableBackoff()}; every
 * other batch waits sealed, which backs up into the queue and pauses consumption. The first write
 * that comes back without an UNAVAILABLE result ends the outage. Nothing is dead-lettered or
 * committed for a sink that cannot write; {@link #outage()} reports it.
 */
public final class SinkBatcher<T> {
    private static final Logger LOG = LoggerFactory.getLogger(SinkBatcher.class);
    /** Every how many failed probes an outage is logged again at WARN. */
    private static final int WARN_EVERY_PROBES = 10;

    private final Sink<T> sink;
    private final BatchPolicy policy;
    private final ScheduledExecutorService timer;
    private final Object lock = new Object();
    private final ArrayDeque<List<Pending<T>>> sealed = new ArrayDeque<>();
    private List<Pending<T>> open = new ArrayList<>();
    private long openBytes;
    private ScheduledFuture<?> lingerTask;
    private int inFlight;
    /** The current outage, or {@code null}; written under the lock, read by health from any thread. */
    private volatile Outage outage;
    /** Batches held for the next probe during an outage; lock held. */
    private final ArrayDeque<List<Pending<T>>> held = new ArrayDeque<>();
    /** Whether the next probe may be written now, and whether one is scheduled; lock held. */
    private boolean probeDue;
    private boolean probeScheduled;
    private boolean closed;
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
                if (closed || inFlight >= policy.maxInFlight() || sealed.isEmpty()) {
                    return;
                }
                if (outage != null) {
                    if (!probeDue || inFlight > 0) {
                        return;
                    }
                    probeDue = false;
                    outage = outage.probed();
                }
                batch = sealed.poll();
                inFlight++;
            }
            write(batch);
        }
    }

    /** The sink's outage now, or {@code null} when it writes. */
    public SinkOutage outage() {
        Outage o = outage;
        if (o == null) {
            return null;
        }
        long records = 0;
        synchronized (lock) {
            for (List<Pending<T>> b : held) {
                records += b.size();
            }
            for (List<Pending<T>> b : sealed) {
                records += b.size();
            }
        }
        return new SinkOutage(sink.name(), o.reason, o.since, o.probes, records);
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
            Outage o = outage;
            if (o != null) {
                scheduleProbe(o); // a probe that failed as a whole: the outage goes on
            }
            return;
        }
        List<Pending<T>> unavailable = null;
        Throwable why = null;
        for (int i = 0; i < batch.size(); i++) {
            SinkResult r = results.get(i);
            if (r != null && r.status() == SinkResult.Status.UNAVAILABLE) {
                if (unavailable == null) {
                    unavailable = new ArrayList<>();
                    why = r.error();
                }
                unavailable.add(batch.get(i));
                continue;
            }
            batch.get(i).complete(r == null ? SinkResult.retry(new SyncerException(
                    "sink " + sink.name() + " returned a null result")) : r);
        }
        if (unavailable != null) {
            hold(unavailable, why);
        } else if (outage != null) {
            recovered();
        }
    }

    /** Holds records the sink could not take and schedules the next probe. */
    private void hold(List<Pending<T>> records, Throwable why) {
        Outage o = null;
        boolean started = false;
        boolean closing;
        synchronized (lock) {
            closing = closed;
            if (!closing) {
                held.add(records);
                started = outage == null;
                o = started ? new Outage(Instant.now(), String.valueOf(why.getMessage()), 1) : outage.because(why);
                outage = o;
            }
        }
        if (closing) {
            failAtClose(records, why); // outside the lock: completing runs the queue's continuations
            return;
        }
        if (started || o.probes % WARN_EVERY_PROBES == 0) {
            LOG.warn("sink {} cannot write ({}); holding its records, nothing is dead-lettered (try {} of this outage)",
                    sink.name(), o.reason, o.probes);
        }
        scheduleProbe(o);
    }

    /** Schedules the outage's next probe unless one is scheduled already. */
    private void scheduleProbe(Outage o) {
        synchronized (lock) {
            if (probeScheduled) {
                return;
            }
            probeScheduled = true;
        }
        long backoffNanos = Math.min(policy.maxUnavailableBackoff().toNanos(),
                policy.unavailableBackoff().toNanos() << Math.min(30, o.probes - 1));
        try {
            timer.schedule(this::probe, backoffNanos, TimeUnit.NANOSECONDS);
        } catch (RuntimeException closing) {
            // the timer stops only in close(), which completes whatever is still held
        }
    }

    private void probe() {
        synchronized (lock) {
            probeScheduled = false;
            while (!held.isEmpty()) {
                sealed.addFirst(held.pollLast());
            }
            probeDue = true;
        }
        dispatch();
    }

    private void recovered() {
        Outage ended;
        synchronized (lock) {
            ended = outage;
            outage = null;
            while (!held.isEmpty()) {
                sealed.addFirst(held.pollLast());
            }
        }
        if (ended != null) {
            LOG.info("sink {} writes again after an outage of {} ms ({} tries)", sink.name(),
                    java.time.Duration.between(ended.since, Instant.now()).toMillis(), ended.probes);
        }
    }

    /** Records still held when the pipeline closes: retriable, so they are neither committed nor dead-lettered. */
    private void failAtClose(List<Pending<T>> records, Throwable why) {
        SinkResult r = SinkResult.retry(new SyncerException("sink " + sink.name() + " was unavailable at close: "
                + (why == null ? "closed" : why.getMessage()), why));
        for (Pending<T> p : records) {
            p.complete(r);
        }
    }

    /** Writes what is open now, stops the linger timer and closes the sink. */
    public void close() {
        flushOnLinger();
        List<List<Pending<T>>> left = new ArrayList<>();
        Outage o;
        synchronized (lock) {
            o = outage;
            if (o != null) {
                // an unavailable sink takes nothing more: complete what it holds instead of waiting forever
                closed = true;
                left.addAll(held);
                left.addAll(sealed);
                held.clear();
                sealed.clear();
            }
        }
        for (List<Pending<T>> b : left) {
            failAtClose(b, new SyncerException(o.reason));
        }
        timer.shutdownNow();
        sink.close();
    }

    /** An outage's state; immutable, replaced under the lock. */
    private static final class Outage {
        final Instant since;
        final String reason;
        final long probes;

        Outage(Instant since, String reason, long probes) {
            this.since = since;
            this.reason = reason;
            this.probes = probes;
        }

        Outage probed() {
            return new Outage(since, reason, probes + 1);
        }

        Outage because(Throwable why) {
            return new Outage(since, String.valueOf(why.getMessage()), probes);
        }
    }

    /** A record waiting in a batch, and its result (one object per record, not two). */
    private static final class Pending<T> extends CompletableFuture<SinkResult> {
        final SinkRecord<T> record;

        Pending(SinkRecord<T> record) {
            this.record = record;
        }
    }
}
