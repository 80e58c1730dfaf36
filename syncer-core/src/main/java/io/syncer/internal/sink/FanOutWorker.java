package io.syncer.internal.sink;

import io.syncer.ConfigurationException;
import io.syncer.RetriableSyncerException;
import io.syncer.SyncerException;
import io.syncer.metrics.SyncerMetrics;
import io.syncer.internal.queue.RunWorker;
import io.syncer.sink.Route;
import io.syncer.sink.Router;
import io.syncer.sink.SinkRecord;
import io.syncer.sink.SinkResult;
import io.syncer.sink.SinkWriteException;
import io.syncer.sink.UnroutedPolicy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The worker of a {@link io.syncer.Syncer} pipeline: routes a record, submits it to every routed
 * sink's batcher, and completes when all of them accepted it. The worst outcome wins: any fatal
 * result fails the record fatally, else any retriable one fails it retriably, and the queue's retry
 * and dead-letter path takes over.
 *
 * <p>On a retry only the routes that have not yet succeeded are written again, so a sink that
 * accepted a record is not written twice for it. The routes done so far are remembered per source
 * record instance in a weak map: the queue keeps the same instance across attempts and drops it
 * once the record is complete, so the map never outgrows the records in the queue.
 *
 * <p>Runs ({@link RunWorker}): in KEY order the queue may hand over a key's consecutive records at
 * once. They are written in chunks, each chunk one batch per sink ({@link SinkBatcher#submitRun}),
 * and a chunk only after the one before it came back without a failure. A chunk holds the records
 * whose every route goes to a sink that {@linkplain io.syncer.sink.Sink#keepsKeyOrderInBatch() keeps
 * a key's order in a batch}, up to what each such sink has in flight at once ({@link #runRecords});
 * a record routed to any other sink is a chunk of its own, so for that sink the key still advances
 * one round trip at a time.
 */
public final class FanOutWorker<T> implements RunWorker<Decoded<T>, FanOutWorker.Prepared<T>> {
    private final Router<T> router;
    private final Map<String, SinkBatcher<T>> batchers;
    private final UnroutedPolicy unrouted;
    private final SyncerMetrics metrics;
    private final String group;
    private final Map<ConsumerRecord<byte[], byte[]>, Set<Route>> delivered = Collections.synchronizedMap(new WeakHashMap<>());
    /** The longest run: the least {@link #runRecords} of the sinks that keep a key's order in a batch; 1 when none does. */
    private final int maxRun;

    public FanOutWorker(Router<T> router, Map<String, SinkBatcher<T>> batchers, UnroutedPolicy unrouted,
                        SyncerMetrics metrics, String group) {
        this.router = router;
        this.batchers = batchers;
        this.unrouted = unrouted;
        this.metrics = metrics;
        this.group = group;
        int run = Integer.MAX_VALUE;
        for (SinkBatcher<T> b : batchers.values()) {
            if (b.sink().keepsKeyOrderInBatch()) {
                run = (int) Math.min(run, runRecords(b.policy()));
            }
        }
        this.maxRun = run == Integer.MAX_VALUE ? 1 : run;
    }

    /** The routes of a record, or {@code null} when it is dropped unrouted; throws what the queue should see. */
    private List<Route> routesOf(Decoded<T> decoded) throws SyncerException {
        ConsumerRecord<byte[], byte[]> source = decoded.source();
        List<Route> routes;
        try {
            routes = router.route(decoded.value(), source);
        } catch (SyncerException e) {
            throw e; // already classified (an unknown tenant is fatal, a lookup timeout retriable): keep it
        } catch (Exception e) {
            throw new SyncerException("router failed on " + source.topic() + "-" + source.partition() + "@"
                    + source.offset() + ": " + e, e);
        }
        if (routes == null || routes.isEmpty()) {
            if (unrouted == UnroutedPolicy.DROP) {
                metrics.recordUnrouted(group, new TopicPartition(source.topic(), source.partition()));
                return null;
            }
            throw new SyncerException("no route for the record (unknown tenant?)");
        }
        if (io.syncer.internal.queue.WorkerContext.currentRecordDisowned()) {
            // the record's partition was revoked or rewound while the router or user code ran: its outputs are not
            // ours to write any more (in exactly-once mode they would join the next transaction)
            throw new RetriableSyncerException("the partition of " + source.topic() + "-" + source.partition() + "@"
                    + source.offset() + " was revoked while the record was being processed");
        }
        return routes;
    }

    @Override
    public CompletionStage<?> consume(int workerId, Decoded<T> decoded) throws Exception {
        ConsumerRecord<byte[], byte[]> source = decoded.source();
        List<Route> routes = routesOf(decoded);
        if (routes == null) {
            return null;
        }
        if (routes.size() == 1) {
            // the common case, with the fewest objects per record: a retry rewrites only this sink anyway
            Route route = routes.get(0);
            return batcher(route).submitOutcome(new SinkRecord<>(decoded.value(), route.destination(), source,
                    io.syncer.internal.queue.WorkerContext.currentSpan()));
        }
        Set<Route> done = delivered.computeIfAbsent(source, r -> ConcurrentHashMap.newKeySet());
        List<CompletableFuture<SinkResult>> results = new ArrayList<>(routes.size());
        List<String> sinks = new ArrayList<>(routes.size());
        io.syncer.trace.TraceSpan span = io.syncer.internal.queue.WorkerContext.currentSpan();
        for (Route route : routes) {
            if (done.contains(route)) {
                continue;
            }
            sinks.add(route.sink());
            results.add(batcher(route).submit(new SinkRecord<>(decoded.value(), route.destination(), source, span))
                    .thenApply(result -> {
                        if (result.status() == SinkResult.Status.OK) {
                            done.add(route);
                        }
                        return result;
                    }));
        }
        return CompletableFuture.allOf(results.toArray(new CompletableFuture<?>[0])).thenApply(ignored -> {
            SinkResult worst = SinkResult.ok();
            String worstSink = null;
            for (int i = 0; i < results.size(); i++) {
                SinkResult r = results.get(i).join();
                if (worse(r, worst)) {
                    worst = r;
                    worstSink = sinks.get(i);
                }
            }
            if (worst.status() != SinkResult.Status.OK) {
                throw failureOf(worstSink, worst);
            }
            delivered.remove(source);
            return null;
        });
    }

    @Override
    public int maxRun() {
        return maxRun;
    }

    /**
     * One record of a run, routed: the routes not yet written for it and their sink records, and the routes
     * written so far (remembered across attempts only for a record with several routes, else {@code null}).
     *
     * @param <T> the item type
     */
    public record Prepared<T>(ConsumerRecord<byte[], byte[]> source, List<Route> routes, List<SinkRecord<T>> records,
                              Set<Route> done) {
    }

    @Override
    public Prepared<T> prepare(int workerId, Decoded<T> decoded) throws Exception {
        ConsumerRecord<byte[], byte[]> source = decoded.source();
        List<Route> all = routesOf(decoded);
        if (all == null) {
            return new Prepared<>(source, List.of(), List.of(), null);
        }
        io.syncer.trace.TraceSpan span = io.syncer.internal.queue.WorkerContext.currentSpan();
        if (all.size() == 1) {
            // one route, nothing to remember: a retry rewrites only this sink anyway (as in consume)
            Route route = all.get(0);
            batcher(route);
            return new Prepared<>(source, all, List.of(new SinkRecord<>(decoded.value(), route.destination(), source, span)),
                    null);
        }
        Set<Route> done = delivered.computeIfAbsent(source, r -> ConcurrentHashMap.newKeySet());
        List<Route> routes = new ArrayList<>(all.size());
        List<SinkRecord<T>> records = new ArrayList<>(all.size());
        for (Route route : all) {
            batcher(route); // an unknown sink fails this record here, not the run's submission
            if (!done.contains(route)) {
                routes.add(route);
                records.add(new SinkRecord<>(decoded.value(), route.destination(), source, span));
            }
        }
        return new Prepared<>(source, routes, records, done);
    }

    @Override
    public List<CompletableFuture<?>> submitRun(List<Prepared<T>> run) {
        SinkBatcher<T> only = soleSink(run);
        if (only != null) {
            // the common case, one route each to one sink keeping a key's order, within one batch: the records'
            // own results are the outcomes (no map, no stage per record beyond the batch's own)
            List<SinkRecord<T>> records = new ArrayList<>(run.size());
            for (Prepared<T> p : run) {
                records.add(p.records().get(0));
            }
            return new ArrayList<>(only.submitRunOutcomes(records));
        }
        List<CompletableFuture<?>> outcomes = new ArrayList<>(run.size());
        for (int i = 0; i < run.size(); i++) {
            outcomes.add(new CompletableFuture<Void>());
        }
        submitChunk(run, 0, outcomes);
        return outcomes;
    }

    /** Writes the chunk of {@code run} that starts at {@code from}; the next one follows once it is all written. */
    @SuppressWarnings("unchecked")
    private void submitChunk(List<Prepared<T>> run, int from, List<CompletableFuture<?>> outcomes) {
        if (from == run.size()) {
            return;
        }
        int end = chunkEnd(run, from);
        Map<String, List<SinkRecord<T>>> bySink = new java.util.LinkedHashMap<>();
        for (int i = from; i < end; i++) {
            Prepared<T> p = run.get(i);
            for (int r = 0; r < p.routes().size(); r++) {
                bySink.computeIfAbsent(p.routes().get(r).sink(), k -> new ArrayList<>()).add(p.records().get(r));
            }
        }
        Map<String, java.util.Iterator<CompletableFuture<SinkResult>>> results = new java.util.HashMap<>();
        List<CompletableFuture<SinkResult>> all = new ArrayList<>();
        bySink.forEach((sink, records) -> {
            SinkBatcher<T> batcher = batchers.get(sink);
            List<CompletableFuture<SinkResult>> written;
            if (batcher.sink().keepsKeyOrderInBatch()) {
                written = batcher.submitRun(records);
            } else {
                written = new ArrayList<>(records.size()); // a chunk of one record: chunkEnd saw to it
                for (SinkRecord<T> record : records) {
                    written.add(batcher.submit(record));
                }
            }
            all.addAll(written);
            results.put(sink, written.iterator());
        });
        CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).whenComplete((ignored, error) -> {
            boolean failed = false;
            for (int i = from; i < end; i++) {
                Prepared<T> p = run.get(i);
                SinkResult worst = SinkResult.ok();
                String worstSink = null;
                for (Route route : p.routes()) {
                    SinkResult r = results.get(route.sink()).next().join();
                    if (r.status() == SinkResult.Status.OK) {
                        if (p.done() != null) {
                            p.done().add(route);
                        }
                    } else if (worse(r, worst)) {
                        worst = r;
                        worstSink = route.sink();
                    }
                }
                CompletableFuture<Void> outcome = (CompletableFuture<Void>) outcomes.get(i);
                if (worst.status() == SinkResult.Status.OK) {
                    if (p.done() != null) {
                        delivered.remove(p.source());
                    }
                    outcome.complete(null);
                } else {
                    failed = true;
                    outcome.completeExceptionally(failureOf(worstSink, worst));
                }
            }
            if (!failed) {
                submitChunk(run, end, outcomes);
                return;
            }
            RetriableSyncerException notWritten = new RetriableSyncerException("not written: an earlier record of its"
                    + " key failed, and it is written after that one");
            for (int i = end; i < run.size(); i++) {
                outcomes.get(i).completeExceptionally(notWritten);
            }
        });
    }

    /**
     * The batcher every record of the run goes to when each has exactly one route, all to one sink that keeps a
     * key's order in a batch, and the run fits one batch of it; else {@code null}.
     */
    private SinkBatcher<T> soleSink(List<Prepared<T>> run) {
        String sink = null;
        long bytes = 0;
        for (Prepared<T> p : run) {
            if (p.routes().size() != 1 || p.done() != null) {
                return null;
            }
            String s = p.routes().get(0).sink();
            if (sink == null) {
                sink = s;
            } else if (!sink.equals(s)) {
                return null;
            }
            bytes += p.records().get(0).sizeBytes();
        }
        SinkBatcher<T> batcher = sink == null ? null : batchers.get(sink);
        if (batcher == null || !batcher.sink().keepsKeyOrderInBatch() || run.size() > runRecords(batcher.policy())
                || bytes > runBytes(batcher.policy())) {
            return null;
        }
        return batcher;
    }

    /**
     * Where the chunk starting at {@code from} ends: after the records whose routes all go to sinks keeping a key's
     * order in a batch, as long as each sink's share fits its batch; a record routed elsewhere is a chunk alone.
     */
    private int chunkEnd(List<Prepared<T>> run, int from) {
        Map<String, long[]> used = new java.util.HashMap<>(); // per sink: records, bytes
        int end = from;
        for (; end < run.size(); end++) {
            Prepared<T> p = run.get(end);
            boolean ordered = true;
            boolean fits = true;
            for (int r = 0; r < p.routes().size(); r++) {
                String sink = p.routes().get(r).sink();
                SinkBatcher<T> batcher = batchers.get(sink);
                ordered &= batcher.sink().keepsKeyOrderInBatch();
                long[] u = used.get(sink);
                io.syncer.sink.BatchPolicy policy = batcher.policy();
                fits &= u == null || u[0] + 1 <= runRecords(policy) && u[1] + p.records().get(r).sizeBytes() <= runBytes(policy);
            }
            if (!ordered) {
                return end == from ? end + 1 : end;
            }
            if (!fits && end > from) {
                return end;
            }
            for (int r = 0; r < p.routes().size(); r++) {
                long[] u = used.computeIfAbsent(p.routes().get(r).sink(), k -> new long[2]);
                u[0]++;
                u[1] += p.records().get(r).sizeBytes();
            }
        }
        return end;
    }

    /**
     * How many of one key's records may go to a sink in one batch: what it would have in flight at once,
     * {@code maxRecords × maxInFlight} (see {@link io.syncer.sink.Sink#keepsKeyOrderInBatch}).
     */
    static long runRecords(io.syncer.sink.BatchPolicy policy) {
        return Math.min(Integer.MAX_VALUE, (long) policy.maxRecords() * policy.maxInFlight());
    }

    /** The bytes of one key's records that may go to a sink in one batch: {@code maxBytes × maxInFlight}. */
    static long runBytes(io.syncer.sink.BatchPolicy policy) {
        long max = policy.maxBytes();
        return max > Long.MAX_VALUE / policy.maxInFlight() ? Long.MAX_VALUE : max * policy.maxInFlight();
    }

    private SinkBatcher<T> batcher(Route route) {
        SinkBatcher<T> batcher = batchers.get(route.sink());
        if (batcher == null) {
            throw new ConfigurationException("route to unknown sink '" + route.sink() + "'; the pipeline's sinks are "
                    + batchers.keySet() + " (a typo in the router?)");
        }
        return batcher;
    }

    /** The worst outcome wins: a fatal one over a retriable one over success. */
    private static boolean worse(SinkResult r, SinkResult worst) {
        return r.status() == SinkResult.Status.FAIL && worst.status() != SinkResult.Status.FAIL
                || r.status() == SinkResult.Status.RETRY && worst.status() == SinkResult.Status.OK;
    }

    /**
     * The failure the queue's retry path expects for a result that is not OK: fatal for FAIL, else retriable. It
     * names the sink ({@link SinkWriteException}, which the dead letter's {@code syncer.dlt.sink} header comes from)
     * even when the sink's own error does not, so that with several sinks an operator sees which one refused.
     */
    static SyncerException failureOf(String sink, SinkResult result) {
        boolean fatal = result.status() == SinkResult.Status.FAIL;
        Throwable error = result.error();
        SinkWriteException named = null;
        for (Throwable t = error; t != null && named == null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SinkWriteException w) {
                named = w;
            }
        }
        if (named != null && named.isRetriable() != fatal) {
            return named; // the sink said so itself, with its details
        }
        return new SinkWriteException(named == null ? sink : named.sink(), "sink " + sink
                + (fatal ? " rejected the record: " : " write failed: ") + error, !fatal,
                named == null ? Map.of() : named.details(), error);
    }
}
