package io.syncer.produce;

import io.syncer.internal.produce.DefaultKafkaProducers;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * A transactional {@link KafkaProducers} for exactly-once Kafka→Kafka pipelines: records sent
 * through it and the consumed offsets are committed atomically, so a read_committed reader never
 * sees a record twice, even across crashes.
 *
 * <p>Use one per pipeline instance, with a {@code transactionalId} that is stable across restarts of
 * that instance (a restart fences and aborts the transaction the crashed process left open), and hand
 * it both to the sinks that write to Kafka and to the pipeline
 * ({@link io.syncer.Syncer.Builder#exactlyOnce}), which then commits offsets through it instead of
 * through the consumer. The transaction methods are called by the pipeline's poll thread; sends may
 * come from any thread.
 */
public interface TransactionalKafkaProducers extends KafkaProducers {
    /**
     * Creates the producer and initialises its transactions (fencing an earlier producer with the
     * same id and aborting what it left open).
     *
     * @param config the producer configuration ({@code transactional.id} is set from
     *     {@code transactionalId}; idempotence and acks=all are forced)
     * @param transactionalId stable per pipeline instance, unique among running instances
     * @return the producer
     */
    static TransactionalKafkaProducers create(KafkaProducersConfig config, String transactionalId) {
        return DefaultKafkaProducers.transactional(Objects.requireNonNull(config, "config"),
                Objects.requireNonNull(transactionalId, "transactionalId"));
    }

    /**
     * {@inheritDoc}
     *
     * @return {@code true}; the implementation behind {@link KafkaProducers#create}, which also implements this
     *     interface, answers {@code false}
     */
    @Override
    default boolean isTransactional() {
        return true;
    }

    /** Starts a transaction; every send until the commit or abort belongs to it. */
    void beginTransaction();

    /**
     * Adds consumed offsets to the open transaction.
     *
     * @param offsets the next offset to consume per partition
     * @param group the consumer's group metadata (fences zombie members)
     */
    void sendOffsetsToTransaction(Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata group);

    /** Commits the open transaction: its records and offsets become visible together. */
    void commitTransaction();

    /** Aborts the open transaction: its records are never visible to read_committed readers. */
    void abortTransaction();

    /**
     * Whether a send of the open transaction failed: the producer is then in an abortable error state,
     * every later send of the transaction fails and it cannot commit. The pipeline aborts and
     * rewinds as soon as it sees this, and redoes the work in smaller transactions until the record
     * at fault is alone in one. Sends failed by the transaction's state are retriable
     * {@link io.syncer.RetriableSyncerException}s (they succeed once it is redone); the failing
     * record's own failure is reported as what it is (too large: fatal) only when it is alone.
     *
     * @return {@code true} from a failed send until the next {@link #beginTransaction()}
     */
    default boolean transactionFailed() {
        return false;
    }
}
