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
     * Whether records of one source ordering key that share a batch reach their destination in batch
     * order (the Kafka sink: one idempotent producer, the record key picks the destination partition,
     * records are sent in batch order). In {@link io.syncer.queue.OrderingMode#KEY} order core then
     * lets a key's consecutive queued records share one batch, instead of one sink round trip per
     * record; it still books their outcomes in the key's order, and never dispatches a key's next run
     * before the previous one has its outcome. When a record of such a run is not written (retriable,
     * held by an outage), the later records of the run written with it are written again after it: at
     * least once, the destination's last copy of each record in the key's order. A batch holding such a
     * run may be longer than {@link BatchPolicy#maxRecords()}: up to what the sink has in flight at once
     * ({@code maxRecords × maxInFlight} records, {@code maxBytes × maxInFlight} bytes), so a sink that
     * declares this must take batches of that size.
     *
     * @return {@code false} unless overridden: one record of a key per round trip
     */
    default boolean keepsKeyOrderInBatch() {
        return false;
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
