package io.syncer.metrics;

import io.syncer.consume.GroupHealth;
import io.syncer.consume.PartitionStatus;
import io.syncer.queue.QueueWorkerStats;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;

/**
 * Where syncer reports what it does. Core has no metrics library: bind this to one (the
 * {@code syncer-micrometer} module does it for Micrometer) or implement it yourself. Every method
 * has a no-op default, so an implementation overrides only what it records.
 *
 * <p>Threading: methods are called from syncer's poll and worker threads, concurrently; they must
 * be thread-safe and must not block. An exception thrown by an implementation is logged and
 * ignored.
 */
public interface SyncerMetrics {
    /** Records nothing. */
    SyncerMetrics NOOP = new SyncerMetrics() {
    };

    /**
     * Records were handed from the consumer to the handler (entered the queue).
     *
     * @param group the consumer group
     * @param partition their partition
     * @param count how many
     */
    default void recordsConsumed(String group, TopicPartition partition, int count) {
    }

    /**
     * A record was processed successfully.
     *
     * @param group the consumer group
     * @param partition its partition
     */
    default void recordProcessed(String group, TopicPartition partition) {
    }

    /**
     * A failed attempt will be retried.
     *
     * @param group the consumer group
     * @param partition the record's partition
     */
    default void recordRetried(String group, TopicPartition partition) {
    }

    /**
     * A record was written to the dead-letter topic (and so counts as complete).
     *
     * @param group the consumer group
     * @param partition the record's source partition
     */
    default void recordDeadLettered(String group, TopicPartition partition) {
    }

    /**
     * A record had no route and was dropped ({@link io.syncer.sink.UnroutedPolicy#DROP}).
     *
     * @param group the consumer group
     * @param partition the record's partition
     */
    default void recordUnrouted(String group, TopicPartition partition) {
    }

    /**
     * A commit finished.
     *
     * @param group the consumer group
     * @param latency from request to response
     * @param success whether the broker accepted it
     */
    default void commitCompleted(String group, Duration latency, boolean success) {
    }

    /**
     * The per-partition view was refreshed (about once per commit interval): committed offset,
     * lag, queue share, paused/stalled/failed flags.
     *
     * @param group the consumer group
     * @param partitions every assigned partition's status
     */
    default void partitionsUpdated(String group, Map<TopicPartition, PartitionStatus> partitions) {
    }

    /**
     * Partitions were revoked or lost: meters kept per partition (counters) can be removed, so a
     * long-running instance that sees many rebalances does not keep every partition it ever had.
     *
     * @param group the consumer group
     * @param partitions the partitions that went away
     */
    default void partitionsRevoked(String group, java.util.Collection<TopicPartition> partitions) {
    }

    /**
     * Called once when a manager starts: read gauges (queue depth in records and bytes, paused and
     * failed partition counts, state) from {@code health} when asked.
     *
     * @param group the consumer group
     * @param health the manager's health, cheap to call from any thread
     */
    default void bindGroup(String group, Supplier<GroupHealth> health) {
    }

    /**
     * Called once when a queue worker starts: read its in-flight and queued counts when asked.
     *
     * @param group the consumer group it serves
     * @param queue the queue worker's name
     * @param stats its statistics, cheap to call from any thread
     */
    default void bindQueue(String group, String queue, Supplier<QueueWorkerStats> stats) {
    }

    /**
     * Called once per sink when a {@link io.syncer.Syncer} starts: read the sink's written, retried
     * and failed totals and its held records when asked.
     *
     * @param group the consumer group the pipeline consumes in
     * @param sink the sink's name
     * @param stats the sink's statistics, cheap to call from any thread
     */
    default void bindSink(String group, String sink, Supplier<io.syncer.sink.SinkStats> stats) {
    }

    /**
     * A share consumer acquired records (share-group mode).
     *
     * @param group the share group
     * @param count records in the poll
     */
    default void shareAcquired(String group, int count) {
    }

    /**
     * Share-group records were acknowledged.
     *
     * @param group the share group
     * @param type {@code accept}, {@code release} or {@code reject}
     * @param count how many
     */
    default void shareAcknowledged(String group, String type, int count) {
    }

    /**
     * A share-group record arrived on its {@code deliveryCount}-th delivery.
     *
     * @param group the share group
     * @param deliveryCount 1 for a first delivery
     */
    default void shareDelivered(String group, int deliveryCount) {
    }
}
