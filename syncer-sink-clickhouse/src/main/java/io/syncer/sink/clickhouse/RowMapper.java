package io.syncer.sink.clickhouse;

import io.syncer.sink.SinkRecord;

/**
 * Writes one record's row, column by column, in RowBinary, the client's fastest path:
 *
 * <pre>{@code
 * RowMapper<AccessLog> row = (record, out) -> out.dateTime(record.value().time)
 *         .string(record.value().appid).string(record.value().path).uint16(record.value().status);
 * }</pre>
 *
 * <p>Called on a syncer thread for every record of a batch; it must not block. A mapper that
 * throws, or writes fewer or more values than there are columns, fails only its own record
 * (fatally: it goes to the dead-letter policy with the message).
 *
 * @param <T> the item type
 */
@FunctionalInterface
public interface RowMapper<T> {
    /**
     * Writes the row of {@code record}.
     *
     * @param record the decoded item with its source record
     * @param row where the columns' values go, in column order
     * @throws Exception fails the record
     */
    void write(SinkRecord<T> record, RowWriter row) throws Exception;
}
