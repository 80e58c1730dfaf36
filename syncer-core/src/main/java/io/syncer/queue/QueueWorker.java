package io.syncer.queue;

import io.syncer.consume.ConsumerGroupHandler;
import io.syncer.internal.queue.DefaultQueueWorker;
import java.util.Objects;

/**
 * The default {@link ConsumerGroupHandler}: a queue drained by N worker threads that decode each
 * record and call your {@link AsyncConsumeWorker}, then mark it processed so its offset can be
 * committed.
 *
 * <p>The queue is bounded by record count and bytes: records count from the moment the
 * {@link io.syncer.consume.ConsumerGroupManager} hands them over until they are processed, and
 * the manager pauses the partitions holding the backlog when the bounds fill
 * ({@link io.syncer.consume.ConsumerGroupConfig.Builder#maxQueuedRecords(int)}). Ordering follows
 * {@link QueueWorkerConfig#ordering()}. A failed attempt is retried with exponential backoff while
 * only its ordering key waits, within the {@link io.syncer.failure.RetryPolicy} (10 attempts by
 * default); a fatal failure, or one whose retries run out, goes to the
 * {@link io.syncer.failure.DeadLetterPolicy} (halt the partition by default, or a dead-letter
 * topic), so no record is ever acked without being processed or dead-lettered.
 *
 * <p>Threads: {@code syncer-worker-<name>-<n>} workers and one {@code syncer-retry-<name>} timer,
 * started at the first assignment and ended by {@link ConsumerGroupHandler#close}, which the
 * manager calls. A QueueWorker serves one manager.
 *
 * @param <T> the decoded item type
 */
public interface QueueWorker<T> extends ConsumerGroupHandler {
    /**
     * Creates a queue worker.
     *
     * @param config workers, ordering, in-flight limit, retry backoff
     * @param decoder turns each record into the item (called on the worker thread)
     * @param worker processes each item
     * @param <T> the item type
     * @return the queue worker, to pass to {@link io.syncer.consume.ConsumerGroupManager#create}
     */
    static <T> QueueWorker<T> create(QueueWorkerConfig config, RecordDecoder<T> decoder, AsyncConsumeWorker<T> worker) {
        return new DefaultQueueWorker<>(Objects.requireNonNull(config, "config"),
                Objects.requireNonNull(decoder, "decoder"), Objects.requireNonNull(worker, "worker"));
    }

    /**
     * Creates a queue worker whose records are JSON values bound to {@code type}
     * ({@link RecordDecoder#json(Class)}).
     *
     * @param config workers, ordering, retries, dead letters
     * @param type the item class
     * @param worker processes each item
     * @param <T> the item type
     * @return the queue worker
     */
    static <T> QueueWorker<T> json(QueueWorkerConfig config, Class<T> type, AsyncConsumeWorker<T> worker) {
        return create(config, RecordDecoder.json(type), worker);
    }

    /**
     * The configuration.
     *
     * @return the configuration
     */
    QueueWorkerConfig config();

    /**
     * A point-in-time view of queue depth, in-flight work and counts. Thread-safe.
     *
     * @return the view
     */
    QueueWorkerStats stats();
}
