package io.syncer.consume;

/**
 * The lifecycle of a {@link ConsumerGroupManager}: {@code NEW → STARTING → RUNNING ⇄ DEGRADED →
 * CLOSING → CLOSED}, or {@code FAILED} when the poll thread stops on an error ({@code CLOSED} after
 * {@code close}).
 */
public enum ManagerState {
    /** Built, not started. */
    NEW,
    /** Started; the member has not yet received its first assignment. */
    STARTING,
    /** Consuming every assigned partition. */
    RUNNING,
    /**
     * Consuming, but at least one partition has failed closed ({@link GroupHealth#failedPartitions()})
     * or stalled ({@link GroupHealth#stalledPartitions()}).
     */
    DEGRADED,
    /** The poll thread stopped on an unrecoverable error; see {@link GroupHealth#failure()}. */
    FAILED,
    /** {@code close} has begun. */
    CLOSING,
    /** Closed; every thread has ended. */
    CLOSED
}
