package io.syncer.consume;

/** The lifecycle of a {@link ConsumerGroupManager}. Moves forward only. */
public enum ManagerState {
    /** Built, not started. */
    NEW,
    /** Started; the member has not yet received its first assignment. */
    STARTING,
    /** Consuming every assigned partition. */
    RUNNING,
    /** Consuming, but at least one partition has failed closed (see {@link GroupHealth#failedPartitions()}). */
    DEGRADED,
    /** The poll thread stopped on an unrecoverable error; see {@link GroupHealth#failure()}. */
    FAILED,
    /** {@code close} has begun. */
    CLOSING,
    /** Closed; every thread has ended. */
    CLOSED
}
