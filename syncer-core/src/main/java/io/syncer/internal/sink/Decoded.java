package io.syncer.internal.sink;

import io.syncer.queue.RecordDecoder;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** A decoded item with the record it came from, so routing and sinks see both. */
public record Decoded<T>(T value, ConsumerRecord<byte[], byte[]> source) {
    /** Wraps a user decoder; its exceptions pass through unchanged (decode failures stay fatal). */
    public static <T> RecordDecoder<Decoded<T>> decoder(RecordDecoder<T> decoder) {
        return record -> new Decoded<>(decoder.decode(record), record);
    }
}
