package io.syncer.sink;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;

/**
 * A destination for records: the one thing a sink module implements. Core batches records for it
 * ({@link #batchPolicy()}), calls {@link #write} with each batch, retries only the records whose
 * result says {@link SinkResult.Status#RETRY}, and dead-letters (or halts on) the ones that say
 * {@link SinkResult.Status#FAIL} or run out of retries. A sink author writes the write call and the
 * error classification; nothing else.
 *
 * <p>Threading: {@code write} is called from syncer threads, up to
 * {@link BatchPolicy#maxInFlight()} times concurrently; it should not block (return a stage that
 * completes when the vendor client answers), and must complete the stage exceptionally or with
 * results, never leave it pending forever. A thrown exception or an exceptionally completed stage
 * counts as {@code RETRY} for the whole batch unless it is a non-retriable
 * {@link io.syncer.SyncerException}. {@link #close()} is called once when the pipeline closes.
 *
 * @param <T> the item type
 */
public interface Sink<T> {
    /**
     * A short stable name, used in routes, logs, metrics and thread names.
     *
     * @return letters, digits, '.', '_' or '-'
     */
    String name();

    /**
     * How core batches records for this sink.
     *
     * @return the policy; {@link BatchPolicy#ofDefaults()} unless overridden
     */
    default BatchPolicy batchPolicy() {
        return BatchPolicy.ofDefaults();
    }

    /**
     * Writes a batch.
     *
     * @param batch one or more records, in the order they were routed
     * @return completes with one result per record, in the same order
     * @throws Exception counts as a failure of the whole batch (see the class Javadoc)
     */
    CompletionStage<List<SinkResult>> write(List<SinkRecord<T>> batch) throws Exception;

    /**
     * A source partition was assigned to this pipeline and {@code firstOffset} is the first record
     * consumed from it: everything before it is committed, so a sink that remembers what it wrote
     * per partition (the ClickHouse sink's insert log) knows from where records come again. Called
     * once per assignment, on the pipeline's poll thread, before that record reaches any sink;
     * must not block (start slow work and make {@link #write} wait for it).
     *
     * @param partition the source partition
     * @param firstOffset the offset of the first record consumed from it in this assignment
     */
    default void partitionAssigned(TopicPartition partition, long firstOffset) {
    }

    /**
     * Source partitions were revoked or lost: their records may now be consumed elsewhere, and any
     * state kept for them is stale. Called on the pipeline's poll thread; must not block.
     *
     * @param partitions the partitions taken away
     */
    default void partitionsRevoked(Collection<TopicPartition> partitions) {
    }

    /**
     * Releases the sink's resources; called once when the pipeline closes, after its last batch. A
     * client passed in by the user is not closed, unless the sink's documentation says otherwise.
     * A thrown exception is recorded as the pipeline's close failure.
     */
    default void close() {
    }
}
