package io.syncer.queue;

/**
 * A point-in-time view of a {@link QueueWorker}.
 *
 * @param queued records waiting for a worker (including those waiting for a retry)
 * @param inFlight records being processed now
 * @param processed records processed successfully since start
 * @param failedAttempts attempts that failed and were retried since start
 */
public record QueueWorkerStats(long queued, long inFlight, long processed, long failedAttempts) {
}
