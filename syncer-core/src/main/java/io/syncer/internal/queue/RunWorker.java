package io.syncer.internal.queue;

import io.syncer.queue.AsyncConsumeWorker;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A worker that takes several consecutive items of one ordering key at once: in KEY order the
 * queue hands it the run of a key's queued records instead of one record per completion, so a hot
 * key advances a sink batch at a time, not a round trip per record. The pipeline's fan-out is one
 * when a sink {@linkplain io.syncer.sink.Sink#keepsKeyOrderInBatch() keeps a key's order in a batch}.
 *
 * <p>The queue calls {@link #prepare} for each item in order, on the worker thread, with the item
 * current (its span, log context and whether it was disowned, as for
 * {@link AsyncConsumeWorker#consume}), then {@link #submitRun} once with what was prepared. It books
 * the outcomes in the key's order: the items before the first failure as processed, the first
 * failure through the retry and dead-letter path, and the items after it back into the key's queue
 * behind it (written again after it).
 *
 * @param <T> the item type
 * @param <P> what {@link #prepare} makes of an item
 */
public interface RunWorker<T, P> extends AsyncConsumeWorker<T> {
    /**
     * Up to how many items one run holds.
     *
     * @return 1 when runs are off (no sink keeps a key's order in a batch)
     */
    int maxRun();

    /**
     * Prepares one item of a run (routing, user code): a throw fails this item, and the items after it
     * are not submitted.
     *
     * @param workerId the calling worker thread's index
     * @param item the item
     * @return what {@link #submitRun} takes
     * @throws Exception to fail this item
     */
    P prepare(int workerId, T item) throws Exception;

    /**
     * Writes the prepared items in order; must not block.
     *
     * @param prepared the run's items, oldest first
     * @return one stage per item, in the same order: completes normally when the item is done, or
     *     exceptionally with its failure
     */
    List<CompletableFuture<?>> submitRun(List<P> prepared);
}
