package io.syncer.internal.metrics;

import io.syncer.consume.GroupHealth;
import io.syncer.consume.PartitionStatus;
import io.syncer.metrics.SyncerMetrics;
import io.syncer.queue.QueueWorkerStats;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Wraps a user's {@link SyncerMetrics} so that nothing it throws reaches a poll or worker thread. */
public final class SafeMetrics implements SyncerMetrics {
    private static final Logger LOG = LoggerFactory.getLogger(SafeMetrics.class);
    private final SyncerMetrics delegate;

    private SafeMetrics(SyncerMetrics delegate) {
        this.delegate = delegate;
    }

    /** Wraps {@code metrics} unless it is already safe or the no-op. */
    public static SyncerMetrics of(SyncerMetrics metrics) {
        return metrics == NOOP || metrics instanceof SafeMetrics ? metrics : new SafeMetrics(metrics);
    }

    private void run(Runnable call) {
        try {
            call.run();
        } catch (Throwable t) {
            LOG.warn("metrics implementation {} threw; ignored", delegate.getClass().getName(), t);
        }
    }

    @Override
    public void recordsConsumed(String group, TopicPartition partition, int count) {
        run(() -> delegate.recordsConsumed(group, partition, count));
    }

    @Override
    public void recordProcessed(String group, TopicPartition partition) {
        run(() -> delegate.recordProcessed(group, partition));
    }

    @Override
    public void recordRetried(String group, TopicPartition partition) {
        run(() -> delegate.recordRetried(group, partition));
    }

    @Override
    public void recordDeadLettered(String group, TopicPartition partition) {
        run(() -> delegate.recordDeadLettered(group, partition));
    }

    @Override
    public void recordUnrouted(String group, TopicPartition partition) {
        run(() -> delegate.recordUnrouted(group, partition));
    }

    @Override
    public void commitCompleted(String group, Duration latency, boolean success) {
        run(() -> delegate.commitCompleted(group, latency, success));
    }

    @Override
    public void partitionsUpdated(String group, Map<TopicPartition, PartitionStatus> partitions) {
        run(() -> delegate.partitionsUpdated(group, partitions));
    }

    @Override
    public void partitionsRevoked(String group, java.util.Collection<TopicPartition> partitions) {
        run(() -> delegate.partitionsRevoked(group, partitions));
    }

    @Override
    public void bindGroup(String group, Supplier<GroupHealth> health) {
        run(() -> delegate.bindGroup(group, health));
    }

    @Override
    public void shareAcquired(String group, int count) {
        run(() -> delegate.shareAcquired(group, count));
    }

    @Override
    public void shareAcknowledged(String group, String type, int count) {
        run(() -> delegate.shareAcknowledged(group, type, count));
    }

    @Override
    public void shareDelivered(String group, int deliveryCount) {
        run(() -> delegate.shareDelivered(group, deliveryCount));
    }

    @Override
    public void bindQueue(String group, String queue, Supplier<QueueWorkerStats> stats) {
        run(() -> delegate.bindQueue(group, queue, stats));
    }

    @Override
    public void bindSink(String group, String sink, Supplier<io.syncer.sink.SinkStats> stats) {
        run(() -> delegate.bindSink(group, sink, stats));
    }
}
