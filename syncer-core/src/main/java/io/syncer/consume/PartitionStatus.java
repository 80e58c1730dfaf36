package io.syncer.consume;

/**
 * One assigned partition as the manager last saw it (refreshed about once per commit interval).
 *
 * @param committedOffset the last offset this member committed, or -1 if none yet
 * @param logEndOffset the partition's log end as of the last fetch, or -1 if unknown
 * @param lag records between the committed offset and the log end (0 if unknown)
 * @param queuedRecords records of this partition handed to the handler and not yet processed
 * @param paused paused by backpressure
 * @param stalled the lag is positive and the committed offset has not moved for the stall timeout
 * @param failed failed closed (see {@link GroupHealth#failedPartitions()})
 */
public record PartitionStatus(long committedOffset, long logEndOffset, long lag, long queuedRecords,
                              boolean paused, boolean stalled, boolean failed) {
}
