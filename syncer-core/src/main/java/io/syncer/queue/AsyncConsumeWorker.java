package io.syncer.queue;

import java.util.concurrent.CompletionStage;

/**
 * Your processing of one item, called by a {@link QueueWorker} worker thread.
 *
 * <p>Return {@code null} (or a completed stage) when the work is done synchronously, or a
 * {@link CompletionStage} that completes when asynchronous work (a remote call) is done; the
 * worker thread then moves on and the item stays in flight until the stage completes. A thrown
 * exception or an exceptionally completed stage fails the attempt: the item is retried after a
 * backoff, and only its ordering key waits.
 *
 * <p>Threading: called on {@code syncer-worker-<queue name>-<n>} threads, concurrently for items of
 * different keys (in {@link OrderingMode#KEY}); may block, which occupies that worker thread.
 *
 * @param <T> the decoded item type
 */
@FunctionalInterface
public interface AsyncConsumeWorker<T> {
    /**
     * Processes one item.
     *
     * @param workerId the index of the calling worker thread, {@code 0 .. workers-1}
     * @param item the decoded item
     * @return {@code null} if done, or a stage completing when done
     * @throws Exception to fail this attempt
     */
    CompletionStage<?> consume(int workerId, T item) throws Exception;

    /**
     * Adapts a blocking worker that returns when done.
     *
     * @param worker the blocking worker
     * @param <T> the item type
     * @return the adapted worker
     */
    static <T> AsyncConsumeWorker<T> blocking(BlockingWorker<T> worker) {
        return (workerId, item) -> {
            worker.consume(workerId, item);
            return null;
        };
    }

    /**
     * A worker that does its work before returning.
     *
     * @param <T> the item type
     */
    @FunctionalInterface
    interface BlockingWorker<T> {
        /**
         * Processes one item.
         *
         * @param workerId the index of the calling worker thread
         * @param item the decoded item
         * @throws Exception to fail this attempt
         */
        void consume(int workerId, T item) throws Exception;
    }
}
