package io.syncer.queue;

/**
 * A point-in-time view of a {@link QueueWorker}.
 *
 * @param queued records waiting for a worker (including those waiting for a retry)
 * @param inFlight records being processed now
 * @param processed records processed successfully since start
 * @param failedAttempts attempts that failed since start
 * @param deadLettered records written to the dead-letter topic since start
 * @param halted records that halted their partition since start
 */
public record QueueWorkerStats(long queued, long inFlight, long processed, long failedAttempts, long deadLettered,
                               long halted) {
}
