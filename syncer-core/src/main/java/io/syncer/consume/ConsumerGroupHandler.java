package io.syncer.consume;

import java.time.Duration;

/**
 * Receives a consumer group's records, with the same three moments as sarama's
 * {@code ConsumerGroupHandler} so services built on it port directly:
 * {@link #setup} when partitions are assigned, {@link #consumeClaim} for each partition's batch of
 * records, {@link #cleanup} before revoked partitions' final commit.
 *
 * <p><b>Offsets.</b> A record handed to {@code consumeClaim} counts as queued until
 * {@link PartitionClaim#markProcessed} is called for it; only the contiguous prefix of processed
 * records is ever committed, and queued records count against the manager's queue bounds (see
 * {@link ConsumerGroupConfig.Builder#maxQueuedRecords(int)}). Unlike sarama's {@code MarkMessage},
 * marking a record never commits records before it that are still being worked on.
 *
 * <p><b>Threading.</b> Every method is called by the manager's poll thread
 * ({@code syncer-poll-<group>}), one call at a time. {@code consumeClaim} must not block: hand the
 * records to other threads (as {@link io.syncer.queue.QueueWorker}, the default handler, does);
 * {@code setup} and {@code cleanup} may block briefly, and {@code cleanup} for at most
 * {@link GroupSession#revokeTimeout()}. An exception thrown by {@code consumeClaim} fails that
 * partition closed (paused, reported in {@link ConsumerGroupManager#health()}); one thrown by
 * {@code setup} or {@code cleanup} is logged.
 */
public interface ConsumerGroupHandler {
    /**
     * Called after partitions were assigned ({@link GroupSession#addedPartitions()}), before their
     * first {@code consumeClaim}.
     *
     * @param session the current session
     * @throws Exception logged, does not stop consumption
     */
    default void setup(GroupSession session) throws Exception {
    }

    /**
     * Called with the records one poll returned for one partition, in offset order.
     *
     * @param session the current session
     * @param claim the partition and its records
     * @throws Exception fails the partition closed
     */
    void consumeClaim(GroupSession session, PartitionClaim claim) throws Exception;

    /**
     * Called when partitions are taken away ({@link GroupSession#revokedPartitions()}), before their
     * final commit: stop work on them and wait, at most {@link GroupSession#revokeTimeout()}, for
     * records in flight so their completion can still be committed. When partitions are lost
     * rather than revoked ({@link GroupSession#partitionsLost()}), nothing is committed afterwards.
     *
     * @param session the current session
     * @throws Exception logged; the final commit still happens
     */
    default void cleanup(GroupSession session) throws Exception {
    }

    /**
     * Called once when the manager closes, after the last {@code consumeClaim} and before the final
     * commit. With {@link DrainMode#DRAIN} the manager has already waited for every queued record
     * to be processed (up to the close deadline); release threads and resources here.
     *
     * @param timeout time left of the close deadline
     * @param mode whether queued work should still be finished
     * @throws Exception recorded as the close failure
     */
    default void close(Duration timeout, DrainMode mode) throws Exception {
    }
}
