package io.syncer.internal.sink;

import io.syncer.Syncer;
import io.syncer.SyncerException;
import io.syncer.consume.ConsumerGroupConfig;
import io.syncer.consume.ConsumerGroupManager;
import io.syncer.consume.DrainMode;
import io.syncer.consume.GroupHealth;
import io.syncer.consume.GroupMember;
import io.syncer.internal.metrics.SafeMetrics;
import io.syncer.metrics.SyncerMetrics;
import io.syncer.produce.TransactionalKafkaProducers;
import io.syncer.queue.QueueWorker;
import io.syncer.queue.QueueWorkerConfig;
import io.syncer.queue.RecordDecoder;
import io.syncer.share.ShareGroupConfig;
import io.syncer.share.ShareGroupManager;
import io.syncer.sink.Router;
import io.syncer.sink.Sink;
import io.syncer.sink.SinkOutage;
import io.syncer.sink.SinkStats;
import io.syncer.sink.UnroutedPolicy;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@link Syncer} implementation: a manager feeding a queue worker whose worker fans out to sink batchers. */
public final class DefaultSyncer<T> implements Syncer {
    private final GroupMember manager;
    private final Map<String, SinkBatcher<T>> batchers = new LinkedHashMap<>();
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * A pipeline on a consumer group ({@code consumer}) or on a share group ({@code share}); exactly one is given.
     */
    public DefaultSyncer(ConsumerGroupConfig consumer, ShareGroupConfig share, QueueWorkerConfig worker,
                         RecordDecoder<T> decoder, List<Sink<T>> sinks, Router<T> router, UnroutedPolicy unrouted,
                         SyncerMetrics metrics, TransactionalKafkaProducers transactions) {
        SyncerMetrics safe = SafeMetrics.of(metrics);
        String groupId = share != null ? share.groupId() : consumer.groupId();
        boolean logContext = share == null && consumer.logContext();
        int maxQueued = share != null ? share.maxQueuedRecords() : consumer.maxQueuedRecords();
        for (Sink<T> sink : sinks) {
            batchers.put(sink.name(), new SinkBatcher<>(sink, logContext ? groupId : null, worker.tracing(), groupId));
        }
        FanOutWorker<T> fanOut = new FanOutWorker<>(router, batchers, unrouted, safe, groupId);
        // A record in flight here waits in a sink batch: starving the batches below the queue bound
        // would make every batch wait out its linger. The sinks' BatchPolicy bounds their writes.
        QueueWorkerConfig effective = worker.maxInFlight() >= maxQueued ? worker : worker.withMaxInFlight(maxQueued);
        if (effective.name().equals(QueueWorkerConfig.DEFAULT_NAME)) {
            // log lines and threads name the pipeline ("queue access-log-syncer: ..."), not "queue queue"
            effective = effective.withName(groupId.replaceAll("[^A-Za-z0-9._-]", "_"));
        }
        QueueWorker<Decoded<T>> queue = QueueWorker.create(effective, Decoded.decoder(decoder), fanOut);
        batchers.forEach((name, b) -> safe.bindSink(groupId, name, b::stats));
        if (share != null) {
            // no partition ownership: sinks see no assignments, and the queue drains on close
            this.manager = ShareGroupManager.create(share, queue, safe);
            return;
        }
        SinkPartitionEvents handler = new SinkPartitionEvents(queue, sinks,
                revoked -> batchers.values().forEach(b -> b.discard(revoked)));
        this.manager = transactions == null ? ConsumerGroupManager.create(consumer, handler, safe)
                : ConsumerGroupManager.createExactlyOnce(consumer, handler, safe, transactions);
    }

    @Override
    public void start() {
        manager.start();
    }

    @Override
    public Map<String, SinkStats> sinkStats() {
        Map<String, SinkStats> stats = new LinkedHashMap<>();
        batchers.forEach((name, b) -> stats.put(name, b.stats()));
        return stats;
    }

    @Override
    public GroupHealth health() {
        Map<String, SinkOutage> outages = null;
        for (SinkBatcher<T> b : batchers.values()) {
            for (SinkOutage o : b.outages()) {
                if (outages == null) {
                    outages = new LinkedHashMap<>();
                }
                outages.put(o.destination() == null ? o.sink()
                        : o.sink() + "/" + (o.destination().isEmpty() ? "(default)" : o.destination()), o);
            }
        }
        GroupHealth group = manager.health();
        return outages == null ? group : group.withSinkOutages(outages);
    }

    @Override
    public void close(Duration timeout, DrainMode mode) {
        if (!closed.compareAndSet(false, true)) {
            return; // idempotent: the sinks are closed once
        }
        SyncerException failure = null;
        for (SinkBatcher<T> b : batchers.values()) {
            b.release(); // what a sink that cannot write holds goes back, retriable, so the drain need not wait for it
        }
        try {
            manager.close(timeout, mode);
        } catch (SyncerException e) {
            failure = e;
        }
        for (SinkBatcher<T> b : batchers.values()) {
            try {
                b.close();
            } catch (RuntimeException e) {
                SyncerException f = new SyncerException("closing sink " + b.sink().name() + " failed: " + e, e);
                if (failure == null) {
                    failure = f;
                } else {
                    failure.addSuppressed(f);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
