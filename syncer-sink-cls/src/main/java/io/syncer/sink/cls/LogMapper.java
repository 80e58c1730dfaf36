package io.syncer.sink.cls;

import io.syncer.sink.SinkRecord;

/**
 * Turns one record into the CLS log it is uploaded as, by writing the log's fields into a
 * {@link LogBuilder}:
 *
 * <pre>{@code
 * LogMapper<AccessLog> mapper = (record, log) -> log.time(record.value().timeMillis)
 *         .field("appid", record.value().appid).field("path", record.value().path);
 * }</pre>
 *
 * <p>Called on a syncer thread for every record of a batch; it must not block. A mapper that
 * throws fails only its own record (fatally: it goes to the dead-letter policy with the message).
 *
 * <p>{@link #json()} covers the common case: the item's fields, flattened.
 *
 * @param <T> the item type
 */
@FunctionalInterface
public interface LogMapper<T> {
    /**
     * Maps a record.
     *
     * @param record the decoded item with its source record (for the Kafka timestamp, key, headers)
     * @param log where the log's time and fields go
     * @throws Exception fails the record
     */
    void map(SinkRecord<T> record, LogBuilder log) throws Exception;

    /**
     * The default mapper: the item as a JSON object, flattened into CLS fields. The item may be a
     * Jackson-bindable object (a POJO, a {@code Map}), a Jackson {@code JsonNode}, JSON text
     * ({@code String} or {@code byte[]}) or a {@code ConsumerRecord} whose value is JSON. Nested
     * objects become dotted keys ({@code {"req":{"path":"/"}}} → {@code req.path}), arrays stay JSON
     * text, numbers and booleans become their text, nulls are left out. The log's time is the Kafka
     * record's timestamp; {@link JsonLogMapper#timeField} takes it from a field instead.
     *
     * @param <T> the item type
     * @return the mapper
     */
    static <T> JsonLogMapper<T> json() {
        return JsonLogMapper.create();
    }
}
