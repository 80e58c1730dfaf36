package io.syncer.internal.consume;

import io.syncer.consume.ConsumerGroupConfig;
import io.syncer.internal.commit.QueueBudget;
import io.syncer.metrics.SyncerMetrics;
import java.util.Collection;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * What the manager's poll-thread parts (commits, resets, admission) share: the consumer, the
 * partition states and the few manager actions they need. Confined to the poll thread, like
 * everything it hands out.
 */
interface PollContext {
    ConsumerGroupConfig config();

    Consumer<byte[], byte[]> consumer();

    /** The assigned partitions' states, in assignment order. */
    Map<TopicPartition, PartitionState> partitions();

    QueueBudget budget();

    SyncerMetrics metrics();

    /**
     * Takes the partitions' work away from the handler ({@code handler.cleanup}, as on a revoke):
     * queued records are dropped, running ones waited for up to the revoke timeout. Logs a failure.
     */
    void cleanup(Collection<TopicPartition> tps, boolean lost, String why);

    /** Replaces the partition's tracker: its position moved, what was tracked is void. */
    void resetTracker(PartitionState ps);

    /** Fails the partition closed with the reason (paused, reported in health). */
    void failPartition(PartitionState ps, long offset, String reason);

    /** Seeks partitions without a committed offset to the configured initial position. */
    void seekInitial(Collection<TopicPartition> tps);
}
