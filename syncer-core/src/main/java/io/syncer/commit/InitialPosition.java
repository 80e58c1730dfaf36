package io.syncer.commit;

/**
 * Where a partition that has no committed offset for the group starts.
 *
 * <p>{@link #EARLIEST} is the default: a partition added to a topic at runtime is assigned some
 * seconds after its first records were written, and starting at the log end would skip them.
 */
public enum InitialPosition {
    /** Start at the first record still in the log (the default). */
    EARLIEST,
    /** Start at the log end: only records written after the assignment are consumed. */
    LATEST
}
