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
    /** A claim is about to be handed to the handler (exactly once: its outputs need an open transaction). */
    default void beforeDispatch() {
    }

    /** Once per loop turn: commit if it is time. */
    void maybeCommit();

    /** Whether a paused partition may resume now (exactly once: not while a transaction drains). */
    default boolean resumeAllowed() {
        return true;
    }

    /** Whether partitions are paused for a reason of the commit cycle (the poll then uses a short timeout). */
    default boolean draining() {
        return false;
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
