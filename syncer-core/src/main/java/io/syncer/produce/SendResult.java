package io.syncer.produce;

import io.syncer.SyncerException;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * The outcome of one record of {@link KafkaProducers#sendAll}: its metadata, or why it failed.
 *
 * @param record the record sent
 * @param metadata where it was written, or {@code null} if it failed
 * @param error why it failed ({@link SyncerException#isRetriable()} tells whether resending may
 *     help), or {@code null} if it succeeded
 */
public record SendResult(ProducerRecord<byte[], byte[]> record, RecordMetadata metadata, SyncerException error) {
    /**
     * Whether the record was written.
     *
     * @return {@code true} on success
     */
    public boolean succeeded() {
        return error == null;
    }
}
