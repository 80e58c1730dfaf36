package io.syncer.sink.cls;

/**
 * Where a {@link LogMapper} writes one record's CLS log: its time and its fields, straight into the
 * SDK's log without an intermediate map. Each field is checked as it is added against what CLS
 * would reject for the whole request (an empty key, a key starting with {@code _}, a value over
 * {@link ClsSink#MAX_VALUE_BYTES} bytes of UTF-8); a bad one fails only this record, with the reason.
 *
 * <p>Not thread-safe: one builder per record, used by the mapper call it is passed to and never after.
 */
public interface LogBuilder {
    /**
     * Sets the log's time. Default: the Kafka record's timestamp.
     *
     * @param epochMillis epoch milliseconds
     * @return this builder
     */
    LogBuilder time(long epochMillis);

    /**
     * Adds a field.
     *
     * @param key not empty, not starting with {@code _}
     * @param value not {@code null}, at most {@link ClsSink#MAX_VALUE_BYTES} bytes of UTF-8
     * @return this builder
     * @throws IllegalArgumentException when CLS would reject the field (the record fails with this message)
     */
    LogBuilder field(String key, String value);
}
