package io.syncer.sink;

import io.syncer.trace.TraceSpan;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * One record on its way to one sink: the decoded item, where inside the sink it goes, and the
 * source record it came from (topic, partition, offset, key, headers, timestamp), e.g. to derive an
 * idempotent document id from {@code topic-partition-offset}.
 *
 * @param value the decoded item
 * @param destination where inside the sink it goes (a topic, index, table, log topic), as the
 *     {@link Router} chose; {@code null} means the sink's default
 * @param source the consumed record
 * @param trace the span of the record's processing ({@link TraceSpan#NOOP} when not traced): a sink that
 *     produces records for it injects it into their headers, as the Kafka sink does
 * @param <T> the item type
 */
public record SinkRecord<T>(T value, String destination, ConsumerRecord<byte[], byte[]> source, TraceSpan trace) {
    /**
     * Checks the span.
     *
     * @param value the decoded item
     * @param destination where inside the sink it goes, {@code null} for the default
     * @param source the consumed record
     * @param trace the record's span
     */
    public SinkRecord {
        Objects.requireNonNull(trace, "trace");
    }

    /**
     * An untraced record.
     *
     * @param value the decoded item
     * @param destination where inside the sink it goes, {@code null} for the default
     * @param source the consumed record
     */
    public SinkRecord(T value, String destination, ConsumerRecord<byte[], byte[]> source) {
        this(value, destination, source, TraceSpan.NOOP);
    }

    /**
     * The size counted against {@link BatchPolicy#maxBytes()}: the source record's key plus value.
     *
     * @return bytes
     */
    public int sizeBytes() {
        return (source.key() == null ? 0 : source.key().length) + (source.value() == null ? 0 : source.value().length);
    }
}
