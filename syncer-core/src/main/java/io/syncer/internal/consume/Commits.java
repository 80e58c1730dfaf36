package io.syncer.internal.consume;

import io.syncer.consume.DrainMode;
import java.time.Duration;
import java.util.Collection;
import org.apache.kafka.common.TopicPartition;

/**
 * How a manager commits, one implementation per commit mode: {@link PeriodicCommits} (at least once,
 * and at most once, whose trackers make a record committable when it is registered) and
 * {@link TransactionalCommits} (exactly once, offsets inside the output producer's transactions).
 * The manager calls it at fixed points of its poll loop; every call is on the poll thread.
 */
interface Commits {
    /** A claim of {@code records} records is about to be handed to the handler (exactly once: its outputs need an open transaction). */
    default void beforeDispatch(int records) {
    }

    /** Once per loop turn: commit if it is time. */
    void maybeCommit();

    /** Whether a paused partition may resume now (exactly once: not while a transaction drains). */
    default boolean resumeAllowed() {
        return true;
    }

    /**
     * How many more records may be admitted now, on top of the queue's own bounds (exactly once:
     * while a failed transaction's records are redone in smaller transactions, what the open one may
     * still take).
     */
    default long admissionLimit() {
        return Long.MAX_VALUE;
    }

    /** Whether partitions are paused for a reason of the commit cycle (the poll then uses a short timeout). */
    default boolean draining() {
        return false;
    }

    /**
     * A partition halted at a record (exactly once: the open transaction holds outputs of that record
     * whose offset will not be committed, so it is aborted and the work redone).
     */
    default void halted(PartitionState ps) {
    }

    /** Partitions were assigned (exactly once: paused if a transaction is draining). */
    default void assigned(Collection<TopicPartition> assigned) {
    }

    /** Partitions are being revoked, before the handler's cleanup. */
    default void revoking(Collection<TopicPartition> revoked) {
    }

    /** Partitions were revoked and the handler cleaned up: commit what they finished. */
    default void revoked(Collection<TopicPartition> revoked) {
    }

    /** Partitions were lost, before the handler's cleanup: nothing of theirs may be committed any more. */
    default void lost(Collection<TopicPartition> lost) {
    }

    /** Commits what the partitions finished now (before their position is reset), where the mode allows it. */
    void commitFinished(Collection<TopicPartition> tps, Duration timeout);

    /**
     * The manager closes: the handler is closed; commit what finished (or end the transaction).
     *
     * @param failed the poll thread failed: commit nothing
     */
    void close(Duration timeout, DrainMode mode, boolean failed);
}
