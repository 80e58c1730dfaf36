package io.syncer.queue;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Turns a consumed record into the item a worker processes. Called on the worker thread, just
 * before the worker, so decoding runs in parallel and never on the poll thread.
 *
 * @param <T> the item type
 */
@FunctionalInterface
public interface RecordDecoder<T> {
    /**
     * Decodes one record.
     *
     * @param record the raw record
     * @return the item
     * @throws Exception if the record cannot be decoded; treated like a failed attempt
     */
    T decode(ConsumerRecord<byte[], byte[]> record) throws Exception;

    /**
     * The record itself, undecoded.
     *
     * @return the identity decoder
     */
    static RecordDecoder<ConsumerRecord<byte[], byte[]>> identity() {
        return record -> record;
    }

    /**
     * The value as JSON, bound to {@code type} with a shared Jackson {@code ObjectMapper} (unknown
     * properties ignored). A {@code null} value, malformed JSON or the wrong shape throws
     * {@link io.syncer.RecordDecodeException}, which is fatal: the record goes to the dead-letter
     * policy with the reason.
     *
     * @param type the item class
     * @param <T> the item type
     * @return the decoder
     */
    static <T> RecordDecoder<T> json(Class<T> type) {
        return io.syncer.internal.queue.JsonDecoder.of(type);
    }

    /**
     * The value as UTF-8 text ({@code null} for a null value).
     *
     * @return the decoder
     */
    static RecordDecoder<String> utf8Value() {
        return record -> record.value() == null ? null : new String(record.value(), StandardCharsets.UTF_8);
    }
}
