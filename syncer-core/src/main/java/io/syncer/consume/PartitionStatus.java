package io.syncer.consume;

/**
 * One assigned partition as the manager last saw it (refreshed about once per commit interval).
 *
 * @param committedOffset the last offset this member committed, or -1 if none yet
 * @param logEndOffset the partition's log end as of the last fetch, or -1 if unknown
 * @param lag records between the committed offset and the log end (0 if unknown: use
 *     {@link #caughtUp()} to ask whether the partition is done, not {@code lag == 0})
 * @param queuedRecords records of this partition handed to the handler and not yet processed
 * @param paused paused by backpressure
 * @param stalled the lag is positive and the committed offset has not moved for the stall timeout
 * @param failed failed closed (see {@link GroupHealth#failedPartitions()})
 */
public record PartitionStatus(long committedOffset, long logEndOffset, long lag, long queuedRecords,
                              boolean paused, boolean stalled, boolean failed) {
    /**
     * Whether every record up to the log end the manager last saw is processed and committed.
     * Unknown is not caught up: before the first fetch returns the log end, this is {@code false}.
     * A partition the group never committed counts only when it is empty (its log end is 0).
     *
     * @return {@code true} when the committed offset has reached the known log end, nothing of the
     *     partition is queued and it has not failed
     */
    public boolean caughtUp() {
        return !failed && queuedRecords == 0 && logEndOffset >= 0
                && (committedOffset >= logEndOffset || committedOffset < 0 && logEndOffset == 0);
    }
}
