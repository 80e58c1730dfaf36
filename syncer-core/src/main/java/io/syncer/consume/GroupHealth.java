package io.syncer.consume;

import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * A point-in-time view of a {@link ConsumerGroupManager}, cheap to take from any thread.
 *
 * @param state the lifecycle state
 * @param assignment partitions assigned to this member
 * @param pausedPartitions partitions paused because they hold more than their share of the queue
 * @param failedPartitions partitions failed closed (out-of-range offset, halted record, handler
 *     failure), with why
 * @param stalledPartitions partitions whose lag is positive while their committed offset has not
 *     moved for {@link ConsumerGroupConfig#stallTimeout()}: a hung worker or sink
 * @param partitions every assigned partition's status, refreshed about once per commit interval
 * @param queuedRecords records handed to the handler and not yet processed
 * @param queuedBytes the heap they hold: serialized key, value and headers plus
 *     {@link ConsumerGroupConfig#QUEUED_RECORD_OVERHEAD_BYTES} each
 * @param failure the error that stopped the poll thread, or {@code null}
 */
public record GroupHealth(
        ManagerState state,
        Set<TopicPartition> assignment,
        Set<TopicPartition> pausedPartitions,
        Map<TopicPartition, PartitionFailure> failedPartitions,
        Set<TopicPartition> stalledPartitions,
        Map<TopicPartition, PartitionStatus> partitions,
        long queuedRecords,
        long queuedBytes,
        Throwable failure) {

    /**
     * Copies the collections so the view never changes.
     *
     * @param state the lifecycle state
     * @param assignment partitions assigned to this member
     * @param pausedPartitions partitions paused by backpressure
     * @param failedPartitions partitions failed closed
     * @param stalledPartitions partitions whose committed offset does not move while they lag
     * @param partitions every assigned partition's status
     * @param queuedRecords records handed over and not yet processed
     * @param queuedBytes their size in bytes
     * @param failure the error that stopped the poll thread, or {@code null}
     */
    public GroupHealth {
        assignment = Set.copyOf(assignment);
        pausedPartitions = Set.copyOf(pausedPartitions);
        failedPartitions = Map.copyOf(failedPartitions);
        stalledPartitions = Set.copyOf(stalledPartitions);
        partitions = Map.copyOf(partitions);
    }

    /**
     * Whether every assigned partition is being consumed and none is stalled.
     *
     * @return {@code true} in {@link ManagerState#RUNNING} or {@link ManagerState#STARTING}
     */
    public boolean isHealthy() {
        return state == ManagerState.RUNNING || state == ManagerState.STARTING;
    }
}
