package io.syncer.consume;

import io.syncer.sink.SinkOutage;
import java.util.HashMap;
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
 * @param sinkOutages in a {@link io.syncer.Syncer} pipeline, the sinks that cannot write now, by
 *     name, and the destinations that cannot, by {@code sink/destination} ({@code sink/(default)}
 *     for a sink's default destination) (bad credentials, a
 *     missing table: their records are held, not dead-lettered); a
 *     non-empty map turns a {@link ManagerState#RUNNING} or {@link ManagerState#STARTING} state into
 *     {@link ManagerState#DEGRADED}
 * @param startupProblem why the manager has not joined its group after
 *     {@link ConsumerGroupConfig#joinTimeout()} (an unreachable cluster, a group that cannot be
 *     joined), or {@code null}; when set, a {@link ManagerState#STARTING} state reads
 *     {@link ManagerState#DEGRADED}
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
        Throwable failure,
        Map<String, SinkOutage> sinkOutages,
        String startupProblem) {

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
     * @param sinkOutages the sinks that cannot write now, by name
     * @param startupProblem why the group is not joined yet, or {@code null}
     */
    public GroupHealth {
        assignment = Set.copyOf(assignment);
        pausedPartitions = Set.copyOf(pausedPartitions);
        failedPartitions = Map.copyOf(failedPartitions);
        stalledPartitions = Set.copyOf(stalledPartitions);
        partitions = Map.copyOf(partitions);
        sinkOutages = Map.copyOf(sinkOutages);
        if (!sinkOutages.isEmpty() && (state == ManagerState.RUNNING || state == ManagerState.STARTING)) {
            state = ManagerState.DEGRADED;
        }
        if (startupProblem != null && state == ManagerState.STARTING) {
            state = ManagerState.DEGRADED;
        }
    }

    /**
     * A view of a consumer group alone, with no sinks.
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
    public GroupHealth(ManagerState state, Set<TopicPartition> assignment, Set<TopicPartition> pausedPartitions,
                       Map<TopicPartition, PartitionFailure> failedPartitions, Set<TopicPartition> stalledPartitions,
                       Map<TopicPartition, PartitionStatus> partitions, long queuedRecords, long queuedBytes,
                       Throwable failure) {
        this(state, assignment, pausedPartitions, failedPartitions, stalledPartitions, partitions, queuedRecords,
                queuedBytes, failure, Map.of(), null);
    }

    /**
     * A view with sink outages and no startup problem.
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
     * @param sinkOutages the sinks that cannot write now, by name
     */
    public GroupHealth(ManagerState state, Set<TopicPartition> assignment, Set<TopicPartition> pausedPartitions,
                       Map<TopicPartition, PartitionFailure> failedPartitions, Set<TopicPartition> stalledPartitions,
                       Map<TopicPartition, PartitionStatus> partitions, long queuedRecords, long queuedBytes,
                       Throwable failure, Map<String, SinkOutage> sinkOutages) {
        this(state, assignment, pausedPartitions, failedPartitions, stalledPartitions, partitions, queuedRecords,
                queuedBytes, failure, sinkOutages, null);
    }

    /**
     * Whether the member is consuming and has processed and committed every record up to the log
     * ends it last saw, on every assigned partition: the "am I caught up?" question. {@code false}
     * while starting, before any partition is assigned, before the log ends are known, and while a
     * sink or partition is out.
     *
     * @return {@code true} when caught up
     */
    public boolean isCaughtUp() {
        if (state != ManagerState.RUNNING || assignment.isEmpty()) {
            return false;
        }
        for (TopicPartition tp : assignment) {
            PartitionStatus s = partitions.get(tp);
            if (s == null || !s.caughtUp()) {
                return false;
            }
        }
        return true;
    }

    /**
     * This view with {@code outages} added to {@link #sinkOutages()} (and the state turned
     * {@link ManagerState#DEGRADED} if it was running and any are given).
     *
     * @param outages the sinks that cannot write now, by name
     * @return the combined view
     */
    public GroupHealth withSinkOutages(Map<String, SinkOutage> outages) {
        if (outages.isEmpty()) {
            return this;
        }
        Map<String, SinkOutage> all = new HashMap<>(sinkOutages);
        all.putAll(outages);
        return new GroupHealth(state, assignment, pausedPartitions, failedPartitions, stalledPartitions, partitions,
                queuedRecords, queuedBytes, failure, all, startupProblem);
    }

    /**
     * Whether every assigned partition is being consumed and every sink can write.
     *
     * @return {@code true} in {@link ManagerState#RUNNING} or {@link ManagerState#STARTING}
     */
    public boolean isHealthy() {
        return state == ManagerState.RUNNING || state == ManagerState.STARTING;
    }
}
