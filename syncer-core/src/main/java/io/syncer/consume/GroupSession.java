package io.syncer.consume;

import java.time.Duration;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * The consumer group member's view at one handler call: its assignment and what just changed.
 *
 * <p>A session object is only valid during the handler call that received it.
 */
public interface GroupSession {
    /**
     * The consumer group id.
     *
     * @return the group id
     */
    String groupId();

    /**
     * Partitions currently assigned to this member (after the change being reported).
     *
     * @return an immutable set
     */
    Set<TopicPartition> assignment();

    /**
     * Partitions assigned by the rebalance being reported ({@link ConsumerGroupHandler#setup}).
     *
     * @return an immutable set, empty outside {@code setup}
     */
    Set<TopicPartition> addedPartitions();

    /**
     * Partitions being taken away ({@link ConsumerGroupHandler#cleanup}).
     *
     * @return an immutable set, empty outside {@code cleanup}
     */
    Set<TopicPartition> revokedPartitions();

    /**
     * Whether the revoked partitions were lost (the member fell out of the group) rather than
     * revoked in an orderly rebalance; then no final commit follows.
     *
     * @return {@code true} if lost
     */
    boolean partitionsLost();

    /**
     * How long {@code cleanup} may wait for in-flight work of revoked partitions
     * ({@link ConsumerGroupConfig#revokeTimeout()}).
     *
     * @return the bound
     */
    Duration revokeTimeout();

    /**
     * Where to report processing counts (the manager's {@link io.syncer.metrics.SyncerMetrics}).
     *
     * @return the metrics sink, never {@code null}
     */
    io.syncer.metrics.SyncerMetrics metrics();

    /**
     * Whether the handler should set the {@link io.syncer.LogContext} MDC keys around its calls into application
     * code ({@link ConsumerGroupConfig.Builder#logContext}).
     *
     * @return the group's setting; {@code false} unless an implementation says otherwise
     */
    default boolean logContext() {
        return false;
    }

    /**
     * The most records the manager admits into the handler at once ({@link ConsumerGroupConfig.Builder#maxQueuedRecords});
     * a record counts from its admission until its outcome. A handler that hands several records to one call (the
     * queue worker's runs of one key) keeps each call to a part of it, so the next part can be admitted meanwhile.
     *
     * @return the group's bound; {@link Integer#MAX_VALUE} unless an implementation says otherwise
     */
    default int maxQueuedRecords() {
        return Integer.MAX_VALUE;
    }
}
