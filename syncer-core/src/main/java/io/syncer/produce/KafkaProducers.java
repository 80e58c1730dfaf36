package io.syncer.produce;

import io.syncer.internal.produce.DefaultKafkaProducers;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * One shared, thread-safe, idempotent Kafka producer for a whole application, with the three ways
 * of sending the Go service offered: a synchronous single send, a synchronous batch that reports
 * each record's outcome, and an asynchronous send.
 *
 * <p>Errors are translated once: a Kafka {@code RetriableException} (timeouts, leader changes,
 * not enough replicas) becomes {@link io.syncer.RetriableSyncerException}; everything else (record
 * too large, authorization, serialization) a fatal {@link io.syncer.SyncerException}. Messages name
 * the topic and never contain credentials.
 *
 * <p>Threading: every method may be called from any thread; the synchronous ones block the caller
 * until the broker acknowledged (acks=all) or the delivery timeout passed.
 */
public interface KafkaProducers extends AutoCloseable {
    /** Default close deadline of {@link #close()}: 30 s. */
    Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(30);

    /**
     * Creates the producer.
     *
     * @param config the configuration
     * @return the producer
     */
    static KafkaProducers create(KafkaProducersConfig config) {
        return new DefaultKafkaProducers(Objects.requireNonNull(config, "config"));
    }

    /**
     * Sends one record and waits for its acknowledgement.
     *
     * @param topic the topic
     * @param key the key, or {@code null}
     * @param value the value, or {@code null} (a tombstone)
     * @return where it was written
     * @throws io.syncer.SyncerException if it was not written ({@link io.syncer.RetriableSyncerException}
     *     if retrying may help)
     */
    RecordMetadata send(String topic, byte[] key, byte[] value);

    /**
     * Sends one record (with partition, timestamp and headers as given) and waits for its
     * acknowledgement.
     *
     * @param record the record
     * @return where it was written
     * @throws io.syncer.SyncerException if it was not written
     */
    RecordMetadata send(ProducerRecord<byte[], byte[]> record);

    /**
     * Sends every record, then waits for all of them. A failed record does not stop the others:
     * each one's outcome is in the result, in input order. Records to the same partition keep
     * their relative order (the producer is idempotent).
     *
     * @param records the records
     * @return one result per record, in order
     */
    List<SendResult> sendAll(List<ProducerRecord<byte[], byte[]>> records);

    /**
     * Sends one record without waiting.
     *
     * @param record the record
     * @return completes with the metadata, or exceptionally with a {@link io.syncer.SyncerException};
     *     callbacks run on the producer's I/O thread and must not block
     */
    CompletableFuture<RecordMetadata> sendAsync(ProducerRecord<byte[], byte[]> record);

    /** Blocks until every record sent so far is acknowledged or failed. */
    void flush();

    /**
     * Whether sends belong to transactions: true only for a {@link TransactionalKafkaProducers} made by
     * {@link TransactionalKafkaProducers#create}. Sinks decide by it how a failed send counts (in a transaction a
     * timeout aborts and redoes the whole transaction; outside one it is the destination's outage).
     *
     * @return {@code false} for the producers {@link #create} makes
     */
    default boolean isTransactional() {
        return false;
    }

    /**
     * The partitions of {@code topic}, fetching its metadata if needed: blocks up to the producer's
     * {@code max.block.ms} for a topic that does not exist (and cannot be created) or a cluster that
     * cannot be reached. Sinks ask it off their write path, so a missing topic holds its own records
     * without stalling the others.
     *
     * @param topic the topic
     * @return its partitions
     * @throws io.syncer.SyncerException when the metadata cannot be had (retriable for a timeout)
     * @throws UnsupportedOperationException by implementations that cannot tell (the default)
     */
    default List<org.apache.kafka.common.PartitionInfo> partitionsFor(String topic) {
        throw new UnsupportedOperationException("partitionsFor");
    }

    /**
     * Sends what is buffered and closes within {@code timeout}; later sends fail. Idempotent.
     *
     * @param timeout the deadline
     */
    void close(Duration timeout);

    /** Closes within {@link #DEFAULT_CLOSE_TIMEOUT}. */
    @Override
    default void close() {
        close(DEFAULT_CLOSE_TIMEOUT);
    }
}
