package io.syncer.internal.sink;

import io.syncer.ConfigurationException;
import io.syncer.RetriableSyncerException;
import io.syncer.SyncerException;
import io.syncer.metrics.SyncerMetrics;
import io.syncer.queue.AsyncConsumeWorker;
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
 */
public final class FanOutWorker<T> implements AsyncConsumeWorker<Decoded<T>> {
    private final Router<T> router;
    private final Map<String, SinkBatcher<T>> batchers;
    private final UnroutedPolicy unrouted;
    private final SyncerMetrics metrics;
    private final String group;
    private final Map<ConsumerRecord<byte[], byte[]>, Set<Route>> delivered = Collections.synchronizedMap(new WeakHashMap<>());

    public FanOutWorker(Router<T> router, Map<String, SinkBatcher<T>> batchers, UnroutedPolicy unrouted,
                        SyncerMetrics metrics, String group) {
        this.router = router;
        this.batchers = batchers;
        this.unrouted = unrouted;
        this.metrics = metrics;
        this.group = group;
    }

    @Override
    public CompletionStage<?> consume(int workerId, Decoded<T> decoded) throws Exception {
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
                if (r.status() == SinkResult.Status.FAIL && worst.status() != SinkResult.Status.FAIL
                        || r.status() == SinkResult.Status.RETRY && worst.status() == SinkResult.Status.OK) {
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

    private SinkBatcher<T> batcher(Route route) {
        SinkBatcher<T> batcher = batchers.get(route.sink());
        if (batcher == null) {
            throw new ConfigurationException("route to unknown sink '" + route.sink() + "'; the pipeline's sinks are "
                    + batchers.keySet() + " (a typo in the router?)");
        }
        return batcher;
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
