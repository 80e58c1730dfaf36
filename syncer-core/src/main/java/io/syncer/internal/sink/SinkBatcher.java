package io.syncer.internal.sink;

import io.syncer.SyncerException;
import io.syncer.internal.util.Mdc;
import io.syncer.internal.util.NamedThreadFactory;
import io.syncer.sink.BatchPolicy;
import io.syncer.sink.Sink;
import io.syncer.sink.SinkOutage;
import io.syncer.sink.SinkRecord;
import io.syncer.sink.SinkResult;
import io.syncer.sink.SinkStats;
import io.syncer.trace.TraceScope;
import io.syncer.trace.TraceSpan;
import io.syncer.trace.Tracing;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Batches records for one {@link Sink} by count, bytes and linger, with at most
 * {@code maxInFlight} batches being written, and hands each record its own result.
 *
 * <p>Concurrency: {@link #submit} is called from worker threads; one lock guards the open batch, the
 * queue of sealed batches and the outages. Batches are written outside the lock, by the submitting
 * thread or the linger timer ({@code syncer-sink-<name>}), or by the thread completing an earlier
 * write. The sink is called through {@link #write}, the choke point that turns anything it throws
 * into results. Records are completed outside the lock (their continuations run the queue's code).
 *
 * <p>Outages. A record the sink answers {@link SinkResult.Status#UNAVAILABLE} for is not completed
 * but held, and the sink enters an outage: one batch at a time is written (a probe, the held
 * records first) after a backoff that doubles from {@link BatchPolicy#unavailableBackoff()} to
 * {@link BatchPolicy#maxUnavailableBackoff()}, and every other batch waits sealed, which backs up
 * into the queue and pauses consumption. A record answered
 * {@link SinkResult.Status#DESTINATION_UNAVAILABLE} holds only its destination (one tenant's missing
 * table): that destination's records are held and probed alone, with the same backoff, while the
 * other destinations are written as usual. An outage ends with the first probe that comes back
 * without its kind of answer. Nothing is dead-lettered or committed for what is held;
 * {@link #outages()} reports it. {@link #release()} (at the start of a pipeline's close) gives held
 * records back as retriable, so a drain does not wait for a sink that cannot write.
 */
public final class SinkBatcher<T> {
    private static final Logger LOG = LoggerFactory.getLogger(SinkBatcher.class);
    /** Every how many failed probes an outage is logged again at WARN. */
    private static final int WARN_EVERY_PROBES = 10;

    private final Sink<T> sink;
    private final String group;
    private final Tracing tracing;
    private final String tracedGroup;
    private final BatchPolicy policy;
    private final ScheduledThreadPoolExecutor timer;
    private final Object lock = new Object();
    private final ArrayDeque<List<Pending<T>>> sealed = new ArrayDeque<>();
    private List<Pending<T>> open = new ArrayList<>();
    private long openBytes;
    private ScheduledFuture<?> lingerTask;
    private int inFlight;
    /** The sink-wide outage, or {@code null}; lock held to change it. */
    private Outage<T> outage;
    /** Outages of single destinations, by destination ({@code ""} for the sink's default); lock held. */
    private final Map<String, Outage<T>> destinationOutages = new LinkedHashMap<>();
    /** After {@link #release()} or {@link #close()}: nothing more is held, it is given back at once. */
    private boolean released;
    private final LongAdder batches = new LongAdder();
    private final LongAdder written = new LongAdder();
    private final LongAdder retried = new LongAdder();
    private final LongAdder failed = new LongAdder();
    /** Continuations of writes: inline on syncer's threads, handed to the sink's thread from a client's. */
    private final java.util.concurrent.Executor continuations = NamedThreadFactory.inlineOnOwnedThreads(this::runOnTimer);

    public SinkBatcher(Sink<T> sink) {
        this(sink, null, Tracing.NOOP, null);
    }

    /**
     * A batcher for {@code sink} of the pipeline of consumer group {@code tracedGroup}: {@code group}, when not
     * {@code null}, sets the log context around the sink's writes; {@code tracing} gets a span per write.
     */
    public SinkBatcher(Sink<T> sink, String group, Tracing tracing, String tracedGroup) {
        this.group = group;
        this.tracing = tracing;
        this.tracedGroup = tracedGroup;
        this.sink = sink;
        this.policy = sink.batchPolicy();
        this.timer = new ScheduledThreadPoolExecutor(1, new NamedThreadFactory("syncer-sink-" + sink.name(), true));
        timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    public Sink<T> sink() {
        return sink;
    }

    /** How records are batched for the sink (read once, at construction). */
    public BatchPolicy policy() {
        return policy;
    }

    /** Batches written so far. */
    public long batches() {
        return batches.sum();
    }

    private static String key(SinkRecord<?> record) {
        return record.destination() == null ? "" : record.destination();
    }

    /** Adds a record to the open batch (or to its destination's held records); completes with its own result. */
    public CompletableFuture<SinkResult> submit(SinkRecord<T> record) {
        return submit(new Pending<>(record, false, null));
    }

    /**
     * Like {@link #submit} for a record with one route: completes normally when the sink took it and
     * exceptionally with the queue's failure for any other result, so the queue needs no further stage
     * per record (two objects fewer for each of the up to 100,000 records a pipeline holds).
     */
    public CompletableFuture<?> submitOutcome(SinkRecord<T> record) {
        return submit(new Pending<>(record, true, null));
    }

    /**
     * Adds consecutive records of one ordering key so that they share one batch, in this order (the
     * open batch is sealed first when they do not fit in it): for a sink that
     * {@linkplain Sink#keepsKeyOrderInBatch() keeps a key's order within a batch}. The caller keeps the
     * run within what the sink has in flight at once ({@code maxRecords × maxInFlight}, bytes alike): a
     * run longer than {@link BatchPolicy#maxRecords()} is one batch of its own. When a record of
     * the run is not written, the later ones it was written with are not answered OK either (see
     * {@link #complete}): they are written again after it, so the destination ends in the key's order.
     *
     * @param records the run, oldest first
     * @return one result per record, in the same order
     */
    public List<CompletableFuture<SinkResult>> submitRun(List<SinkRecord<T>> records) {
        return new ArrayList<>(submitRun(records, false));
    }

    /**
     * Like {@link #submitRun} for records with one route each: each completes normally when the sink took it and
     * exceptionally with the queue's failure for any other result (as {@link #submitOutcome}).
     */
    public List<? extends CompletableFuture<?>> submitRunOutcomes(List<SinkRecord<T>> records) {
        return submitRun(records, true);
    }

    private List<Pending<T>> submitRun(List<SinkRecord<T>> records, boolean outcome) {
        Object run = new Object();
        List<Pending<T>> pendings = new ArrayList<>(records.size());
        long bytes = 0;
        for (SinkRecord<T> r : records) {
            pendings.add(new Pending<>(r, outcome, run));
            bytes += r.sizeBytes();
        }
        List<Pending<T>> givenBack = new ArrayList<>(0);
        SinkResult givenBackResult = null;
        synchronized (lock) {
            boolean anyHeld = released && outage != null;
            for (Pending<T> p : pendings) {
                anyHeld |= destinationOutages.containsKey(key(p.record));
            }
            if (anyHeld) {
                // a destination of the run is held: each record goes where a single one would, in order (held
                // records are written again oldest first)
                for (Pending<T> p : pendings) {
                    SinkResult back = place(p);
                    if (back != null) {
                        givenBack.add(p);
                        givenBackResult = back;
                    }
                }
            } else {
                if (!open.isEmpty() && (open.size() + pendings.size() > policy.maxRecords()
                        || openBytes + bytes > policy.maxBytes())) {
                    seal();
                }
                boolean first = open.isEmpty();
                open.addAll(pendings);
                openBytes += bytes;
                sealIfFull(first);
            }
        }
        for (Pending<T> p : givenBack) {
            settle(p, givenBackResult);
        }
        dispatch();
        return pendings;
    }

    /** Seals the open batch when full, or starts its linger when it just got its first records; lock held. */
    private void sealIfFull(boolean wasEmpty) {
        if (open.size() >= policy.maxRecords() || openBytes >= policy.maxBytes()) {
            seal();
        } else if (wasEmpty) {
            if (policy.linger().isZero()) {
                seal();
            } else {
                lingerTask = timer.schedule(this::flushOnLinger, policy.linger().toNanos(), TimeUnit.NANOSECONDS);
            }
        }
    }

    /**
     * Puts one record where it goes: its destination's held records, or the open batch; lock held.
     *
     * @return the result to give it back with at once (released while its sink or destination is down), else null
     */
    private SinkResult place(Pending<T> pending) {
        SinkRecord<T> record = pending.record;
        // most records meet no destination outage: no map lookup for them (it was a sixth of P1's worker samples)
        Outage<T> down = destinationOutages.isEmpty() ? null : destinationOutages.get(key(record));
        if (down != null) {
            if (released) {
                return down.givenBack(sink.name());
            }
            down.held.add(pending);
            return null;
        }
        if (released && outage != null) {
            return outage.givenBack(sink.name());
        }
        boolean first = open.isEmpty();
        open.add(pending);
        openBytes += record.sizeBytes();
        sealIfFull(first);
        return null;
    }

    private CompletableFuture<SinkResult> submit(Pending<T> pending) {
        SinkResult givenBack;
        synchronized (lock) {
            givenBack = place(pending);
        }
        if (givenBack != null) {
            settle(pending, givenBack);
            return pending;
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
                if (outage != null) {
                    if (!outage.probeDue || inFlight > 0) {
                        return;
                    }
                    outage.probeDue = false;
                    outage.probing = sealed.peekFirst();
                    outage.probes++;
                }
                batch = sealed.poll();
                inFlight++;
            }
            write(batch);
        }
    }

    /** The sink's outages now (sink-wide and per destination), empty when it writes. */
    public List<SinkOutage> outages() {
        List<SinkOutage> out = new ArrayList<>();
        synchronized (lock) {
            if (outage != null) {
                long records = outage.heldRecords();
                for (List<Pending<T>> b : sealed) {
                    records += b.size();
                }
                out.add(new SinkOutage(sink.name(), null, outage.reason, outage.since, outage.probes, records));
            }
            destinationOutages.forEach((d, o) -> out.add(new SinkOutage(sink.name(), d, o.reason,
                    o.since, o.probes, o.heldRecords())));
        }
        return out;
    }

    /** The choke point for the sink's code. */
    private void write(List<Pending<T>> batch) {
        batches.increment();
        List<SinkRecord<T>> records = new ArrayList<>(batch.size());
        for (Pending<T> p : batch) {
            records.add(p.record);
        }
        CompletionStage<List<SinkResult>> stage;
        Map<String, String> context = group == null ? null : Mdc.sink(group, sink.name());
        TraceSpan span = tracing == Tracing.NOOP ? TraceSpan.NOOP : startWriteSpan(records);
        TraceScope scope = span.makeCurrent();
        try {
            stage = sink.write(records);
            if (stage == null) {
                throw new SyncerException("sink " + sink.name() + " returned no stage from write");
            }
        } catch (Throwable t) {
            stage = CompletableFuture.failedFuture(t);
        } finally {
            scope.close();
            if (group != null) {
                Mdc.restore(context);
            }
        }
        // Continue on the sink's own thread, never on a client's I/O thread: the next write may block.
        stage.whenCompleteAsync((results, error) -> {
            try {
                endQuietly(span, error);
                complete(batch, results, error);
            } finally {
                synchronized (lock) {
                    inFlight--;
                }
                dispatch();
            }
        }, continuations);
    }

    private static void endQuietly(TraceSpan span, Throwable error) {
        try {
            span.end(TraceSpan.WRITTEN, error);
        } catch (RuntimeException e) {
            LOG.warn("tracing failed to end a sink write's span: {}", e.toString());
        }
    }

    private TraceSpan startWriteSpan(List<SinkRecord<T>> records) {
        List<TraceSpan> spans = new ArrayList<>(records.size());
        for (SinkRecord<T> r : records) {
            spans.add(r.trace());
        }
        try {
            TraceSpan span = tracing.startSinkWrite(tracedGroup, sink.name(), spans);
            return span == null ? TraceSpan.NOOP : span;
        } catch (RuntimeException e) {
            return TraceSpan.NOOP; // tracing must not stop a write
        }
    }

    /** A deferred record's final result: no outage holds and no second deferral at that point. */
    private SinkResult settledLater(SinkResult r, Throwable e) {
        if (e != null) {
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            return cause instanceof SyncerException && !((SyncerException) cause).isRetriable()
                    ? SinkResult.fail(cause) : SinkResult.retry(cause);
        }
        if (r == null || r.status() == SinkResult.Status.DEFERRED) {
            return SinkResult.retry(new SyncerException("sink " + sink.name() + " deferred a record to "
                    + (r == null ? "no result" : "another deferral")));
        }
        if (r.status() == SinkResult.Status.UNAVAILABLE || r.status() == SinkResult.Status.DESTINATION_UNAVAILABLE) {
            return SinkResult.retry(r.error());
        }
        return r;
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
        SinkResult[] outcome = new SinkResult[batch.size()];
        if (error != null) {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            SinkResult failure = cause instanceof SyncerException && !((SyncerException) cause).isRetriable()
                    ? SinkResult.fail(cause) : SinkResult.retry(cause);
            SinkResult.Status probe;
            synchronized (lock) {
                probe = probeKind(batch);
            }
            // a probe that fails as a whole (the sink threw, a timeout) says nothing new: the outage goes on
            java.util.Arrays.fill(outcome, probe == SinkResult.Status.UNAVAILABLE ? SinkResult.unavailable(cause)
                    : probe == SinkResult.Status.DESTINATION_UNAVAILABLE ? SinkResult.destinationUnavailable(cause) : failure);
        } else {
            for (int i = 0; i < batch.size(); i++) {
                SinkResult r = results.get(i);
                outcome[i] = r != null ? r : SinkResult.retry(new SyncerException("sink " + sink.name() + " returned a null result"));
            }
        }
        keepRunsInOrder(batch, outcome);
        List<Pending<T>> done = new ArrayList<>(batch.size());
        List<SinkResult> doneResults = new ArrayList<>(batch.size());
        List<Pending<T>> deferred = new ArrayList<>(0);
        List<java.util.concurrent.CompletionStage<SinkResult>> deferredResults = new ArrayList<>(0);
        List<Runnable> logs = new ArrayList<>();
        synchronized (lock) {
            Map<String, Throwable> destinationsDown = new HashMap<>();
            List<Pending<T>> sinkHeld = null;
            Throwable sinkWhy = null;
            for (int i = 0; i < batch.size(); i++) {
                Pending<T> p = batch.get(i);
                SinkResult r = outcome[i];
                if (r.status() == SinkResult.Status.UNAVAILABLE && !released) {
                    if (sinkHeld == null) {
                        sinkHeld = new ArrayList<>();
                        sinkWhy = r.error();
                    }
                    sinkHeld.add(p);
                } else if (r.status() == SinkResult.Status.DESTINATION_UNAVAILABLE && !released) {
                    String d = key(p.record);
                    destinationsDown.putIfAbsent(d, r.error());
                    destinationOutage(d, r.error()).held.add(p);
                } else if (r.status() == SinkResult.Status.DEFERRED) {
                    deferred.add(p);
                    deferredResults.add(r.later());
                } else {
                    done.add(p);
                    doneResults.add(r.status() == SinkResult.Status.UNAVAILABLE
                            || r.status() == SinkResult.Status.DESTINATION_UNAVAILABLE
                            ? SinkResult.retry(r.error()) : r);
                }
            }
            // destinations whose probe came back without DESTINATION_UNAVAILABLE write again
            for (Map.Entry<String, Outage<T>> e : new ArrayList<>(destinationOutages.entrySet())) {
                Outage<T> o = e.getValue();
                if (o.probing == batch) {
                    o.probing = null;
                    Throwable why = destinationsDown.get(e.getKey());
                    if (why == null) {
                        destinationOutages.remove(e.getKey());
                        pushFront(o.held);
                        logs.add(recoveredLog(e.getKey(), o));
                    } else {
                        o.reason = String.valueOf(why.getMessage());
                        scheduleProbe(e.getKey(), o, logs);
                    }
                } else if (destinationsDown.containsKey(e.getKey()) && o.probing == null) {
                    scheduleProbe(e.getKey(), o, logs);
                }
            }
            if (sinkHeld != null) {
                if (outage == null) {
                    outage = new Outage<>(String.valueOf(sinkWhy.getMessage()));
                    outage.probes = 1;
                } else {
                    outage.reason = String.valueOf(sinkWhy.getMessage());
                }
                outage.held.addAll(sinkHeld);
                if (outage.probing == batch) {
                    outage.probing = null;
                }
                scheduleProbe(null, outage, logs);
            } else if (outage != null && (outage.probing == batch || error == null)) {
                // a write came back without UNAVAILABLE: the sink takes writes again
                Outage<T> ended = outage;
                outage = null;
                pushFront(ended.held);
                logs.add(recoveredLog(null, ended));
            }
        }
        for (int i = 0; i < done.size(); i++) {
            settle(done.get(i), doneResults.get(i));
        }
        for (int i = 0; i < deferred.size(); i++) {
            Pending<T> p = deferred.get(i);
            deferredResults.get(i).whenComplete((r, e) -> settle(p, settledLater(r, e)));
        }
        logs.forEach(Runnable::run);
    }

    /**
     * Within a run of one key's records ({@link #submitRun}), a record written after one that was not
     * (retriable, held by an outage, or deferred) is answered like it, though the sink wrote it: it is
     * written again after the earlier one, so the destination's last copy of the key is in order
     * (at least once: that record may appear twice). A record after one that failed for good keeps
     * its own result (the earlier one goes to the dead-letter policy and is not written again).
     */
    private void keepRunsInOrder(List<Pending<T>> batch, SinkResult[] outcome) {
        Map<Object, SinkResult> broken = null;
        for (int i = 0; i < batch.size(); i++) {
            Object run = batch.get(i).run;
            if (run == null) {
                continue;
            }
            SinkResult earlier = broken == null ? null : broken.get(run);
            SinkResult.Status status = outcome[i].status();
            if (earlier != null) {
                if (status == SinkResult.Status.OK) {
                    outcome[i] = follower(earlier);
                }
            } else if (status != SinkResult.Status.OK && status != SinkResult.Status.FAIL) {
                if (broken == null) {
                    broken = new IdentityHashMap<>();
                }
                broken.put(run, outcome[i]);
            }
        }
    }

    private SinkResult follower(SinkResult earlier) {
        SyncerException why = new SyncerException("sink " + sink.name() + ": an earlier record of the same key in this"
                + " batch was not written (" + earlier.error() + "); this one is written again after it, to keep the key's"
                + " order", earlier.error());
        return switch (earlier.status()) {
            case UNAVAILABLE -> SinkResult.unavailable(why);
            case DESTINATION_UNAVAILABLE -> SinkResult.destinationUnavailable(why);
            default -> SinkResult.retry(why);
        };
    }

    /** Which outage {@code batch} is the probe of ({@code UNAVAILABLE}, {@code DESTINATION_UNAVAILABLE}) or {@code null}; lock held. */
    private SinkResult.Status probeKind(List<Pending<T>> batch) {
        if (outage != null && outage.probing == batch) {
            return SinkResult.Status.UNAVAILABLE;
        }
        for (Outage<T> o : destinationOutages.values()) {
            if (o.probing == batch) {
                return SinkResult.Status.DESTINATION_UNAVAILABLE;
            }
        }
        return null;
    }

    /** Puts held records back at the front of the sealed queue, in batches of at most maxRecords; lock held. */
    private void pushFront(List<Pending<T>> records) {
        for (int end = records.size(); end > 0; end -= policy.maxRecords()) {
            sealed.addFirst(new ArrayList<>(records.subList(Math.max(0, end - policy.maxRecords()), end)));
        }
    }

    /** The destination's outage, started if new; lock held. */
    private Outage<T> destinationOutage(String destination, Throwable why) {
        Outage<T> o = destinationOutages.get(destination);
        if (o == null) {
            o = new Outage<>(String.valueOf(why.getMessage()));
            o.probes = 1;
            destinationOutages.put(destination, o);
        }
        return o;
    }

    /** Schedules the outage's next probe unless one is scheduled or running; lock held. */
    private void scheduleProbe(String destination, Outage<T> o, List<Runnable> logs) {
        if (o.probeScheduled || o.probing != null) {
            return;
        }
        o.probeScheduled = true;
        long backoff = backoffNanos(o.probes);
        String what = destination == null ? "sink " + sink.name() : "sink " + sink.name() + ", destination '"
                + (destination.isEmpty() ? "(default)" : destination) + "'";
        if (o.probes == 1 || o.probes % WARN_EVERY_PROBES == 0) {
            String reason = o.reason;
            long probes = o.probes;
            logs.add(() -> LOG.warn("{} cannot write ({}); holding its records, nothing is dead-lettered; next try in "
                    + "{} ms (try {} of this outage)", what, reason, TimeUnit.NANOSECONDS.toMillis(backoff), probes));
        }
        try {
            timer.schedule(() -> probe(destination), backoff, TimeUnit.NANOSECONDS);
        } catch (RuntimeException closing) {
            o.probeScheduled = false; // the timer stops only in close(), which gives back whatever is still held
        }
    }

    /** The wait before probe {@code probes + 1}: doubling from the first backoff, at most the longest, never overflowing. */
    long backoffNanos(long probes) {
        long first = policy.unavailableBackoff().toNanos();
        long max = policy.maxUnavailableBackoff().toNanos();
        long shift = Math.max(0, probes - 1);
        if (shift >= Long.numberOfLeadingZeros(first) - 1) {
            return max;
        }
        return Math.min(max, first << shift);
    }

    private void probe(String destination) {
        synchronized (lock) {
            Outage<T> o = destination == null ? outage : destinationOutages.get(destination);
            if (o == null || released) {
                return;
            }
            o.probeScheduled = false;
            if (destination == null) {
                pushFront(o.held);
                o.held = new ArrayList<>();
                o.probeDue = true;
            } else if (!o.held.isEmpty()) {
                // one batch of the destination's records is the probe; the rest wait for its answer
                int n = Math.min(o.held.size(), policy.maxRecords());
                o.probing = new ArrayList<>(o.held.subList(0, n));
                o.held = new ArrayList<>(o.held.subList(n, o.held.size()));
                o.probes++;
                sealed.addFirst(o.probing);
            }
        }
        dispatch();
    }

    private Runnable recoveredLog(String destination, Outage<T> ended) {
        String what = destination == null ? "sink " + sink.name() : "sink " + sink.name() + ", destination '"
                + (destination.isEmpty() ? "(default)" : destination) + "'";
        long ms = Duration.between(ended.since, Instant.now()).toMillis();
        return () -> LOG.info("{} writes again after an outage of {} ms ({} tries)", what, ms, ended.probes);
    }

    /**
     * Gives back what outages hold, as retriable results, and from now on gives back at once any
     * record that would be held: called when the pipeline starts closing, so its drain does not wait
     * for a sink that cannot write. The records are then neither committed nor dead-lettered.
     */
    /**
     * Drops the records of {@code partitions} that wait here and were not written yet (open and
     * sealed batches, records held by an outage), answering them retriable: their partitions were
     * revoked or rewound, so their records belong to whoever consumes them next, and in exactly-once
     * mode an output written now would join the next transaction. Records already handed to the sink
     * are not touched (they belong to the transaction that is being aborted, or finish as usual).
     */
    public void discard(java.util.Set<org.apache.kafka.common.TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        List<Pending<T>> dropped = new ArrayList<>();
        synchronized (lock) {
            open = without(open, partitions, dropped);
            List<List<Pending<T>>> kept = new ArrayList<>();
            for (List<Pending<T>> b : sealed) {
                List<Pending<T>> rest = without(b, partitions, dropped);
                if (!rest.isEmpty()) {
                    kept.add(rest);
                }
            }
            sealed.clear();
            sealed.addAll(kept);
            if (outage != null) {
                outage.held = without(outage.held, partitions, dropped);
            }
            for (Outage<T> o : destinationOutages.values()) {
                o.held = without(o.held, partitions, dropped);
            }
            openBytes = 0;
            for (Pending<T> p : open) {
                openBytes += p.record.sizeBytes();
            }
        }
        if (!dropped.isEmpty()) {
            SinkResult r = SinkResult.retry(new SyncerException("sink " + sink.name() + ": not written, its partition"
                    + " was revoked or rewound (it is consumed again)"));
            for (Pending<T> p : dropped) {
                settle(p, r);
            }
        }
    }

    private static <T> List<Pending<T>> without(List<Pending<T>> list, java.util.Set<org.apache.kafka.common.TopicPartition> partitions,
                                                List<Pending<T>> dropped) {
        List<Pending<T>> kept = new ArrayList<>(list.size());
        for (Pending<T> p : list) {
            org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]> s = p.record.source();
            if (partitions.contains(new org.apache.kafka.common.TopicPartition(s.topic(), s.partition()))) {
                dropped.add(p);
            } else {
                kept.add(p);
            }
        }
        return kept;
    }

    public void release() {
        List<Pending<T>> back = new ArrayList<>();
        Map<Pending<T>, SinkResult> results = new IdentityHashMap<>();
        synchronized (lock) {
            released = true;
            if (outage != null) {
                SinkResult r = outage.givenBack(sink.name());
                for (Pending<T> p : outage.held) {
                    back.add(p);
                    results.put(p, r);
                }
                outage.held = new ArrayList<>();
                for (List<Pending<T>> b : sealed) {
                    for (Pending<T> p : b) {
                        back.add(p);
                        results.put(p, r);
                    }
                }
                sealed.clear();
            }
            for (Outage<T> o : destinationOutages.values()) {
                SinkResult r = o.givenBack(sink.name());
                for (Pending<T> p : o.held) {
                    back.add(p);
                    results.put(p, r);
                }
                o.held = new ArrayList<>();
            }
        }
        for (Pending<T> p : back) {
            settle(p, results.get(p));
        }
    }

    /** Completes a record with its result and counts it for {@link #stats()}. */
    private void settle(Pending<T> p, SinkResult result) {
        switch (result.status()) {
            case OK -> written.increment();
            case FAIL -> failed.increment();
            default -> retried.increment();
        }
        p.settle(sink.name(), result);
    }

    /** What the sink wrote, retried and failed since the start, and what outages hold now. */
    public SinkStats stats() {
        long held = 0;
        synchronized (lock) {
            if (outage != null) {
                held += outage.heldRecords();
            }
            for (Outage<T> o : destinationOutages.values()) {
                held += o.heldRecords();
            }
        }
        return new SinkStats(sink.name(), batches.sum(), written.sum(), retried.sum(), failed.sum(), held);
    }

    /** Writes what is open now, gives back what outages hold, stops the timer and closes the sink. */
    public void close() {
        flushOnLinger();
        release();
        timer.shutdown(); // continuations already queued still run; delayed linger and probe tasks do not
        sink.close();
    }

    /** An outage: since when, why, how many tries, and the records it holds; changed under the lock. */
    private static final class Outage<T> {
        final Instant since = Instant.now();
        String reason;
        long probes;
        List<Pending<T>> held = new ArrayList<>();
        /** The batch being written as this outage's probe, or {@code null}. */
        List<Pending<T>> probing;
        boolean probeDue;
        boolean probeScheduled;

        Outage(String reason) {
            this.reason = Objects.requireNonNull(reason, "reason");
        }

        long heldRecords() {
            return held.size() + (probing == null ? 0 : probing.size());
        }

        SinkResult givenBack(String sink) {
            return SinkResult.retry(new io.syncer.internal.queue.GivenBackException("sink " + sink
                    + " could not write when the pipeline closed: " + reason));
        }
    }

    /** A record waiting in a batch, and its result (one object per record, not two). */
    private static final class Pending<T> extends CompletableFuture<SinkResult> {
        final SinkRecord<T> record;
        final boolean outcome;
        /** The run of one key's records this one was submitted with ({@link #submitRun}), or {@code null}. */
        final Object run;

        Pending(SinkRecord<T> record, boolean outcome, Object run) {
            this.record = record;
            this.outcome = outcome;
            this.run = run;
        }

        void settle(String sink, SinkResult result) {
            if (outcome && result.status() != SinkResult.Status.OK) {
                completeExceptionally(FanOutWorker.failureOf(sink, result));
            } else {
                complete(result);
            }
        }
    }
}
