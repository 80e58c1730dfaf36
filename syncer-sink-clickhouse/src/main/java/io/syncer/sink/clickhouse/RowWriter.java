package io.syncer.sink.clickhouse;

import java.time.Instant;
import java.time.LocalDate;

/**
 * Where a {@link RowMapper} writes one row in ClickHouse's RowBinary format: one call per column,
 * in the order of {@link ClickHouseSink.Builder#rowBinary}'s columns, with the method of the
 * column's type. Values are range-checked as they are written, so a value that does not fit its
 * column fails only its own record, with the reason.
 *
 * <p>Not thread-safe: one writer per batch, used by the mapper call it is passed to and never after.
 */
public interface RowWriter {
    /**
     * A {@code String} column.
     *
     * @param value not {@code null}
     * @return this writer
     */
    RowWriter string(String value);

    /**
     * A {@code UInt8} column.
     *
     * @param value 0 to 255
     * @return this writer
     */
    RowWriter uint8(int value);

    /**
     * A {@code UInt16} column.
     *
     * @param value 0 to 65,535
     * @return this writer
     */
    RowWriter uint16(int value);

    /**
     * A {@code UInt32} column.
     *
     * @param value 0 to 2^32-1
     * @return this writer
     */
    RowWriter uint32(long value);

    /**
     * A {@code UInt64} column.
     *
     * @param value 0 or more
     * @return this writer
     */
    RowWriter uint64(long value);

    /**
     * An {@code Int32} column.
     *
     * @param value any int
     * @return this writer
     */
    RowWriter int32(int value);

    /**
     * An {@code Int64} column.
     *
     * @param value any long
     * @return this writer
     */
    RowWriter int64(long value);

    /**
     * A {@code Float64} column.
     *
     * @param value any double
     * @return this writer
     */
    RowWriter float64(double value);

    /**
     * A {@code DateTime} column (seconds; what 18.x and later servers all have).
     *
     * @param value from 1970-01-01T00:00:00Z to 2106-02-07T06:28:15Z
     * @return this writer
     */
    RowWriter dateTime(Instant value);

    /**
     * A {@code DateTime64(precision)} column (22.x and later; not on 18.x).
     *
     * @param value the time, truncated to the precision
     * @param precision 0 to 9 digits after the second, as in the column's type
     * @return this writer
     */
    RowWriter dateTime64(Instant value, int precision);

    /**
     * A {@code Bool} or {@code UInt8} column holding 0 or 1.
     *
     * @param value the flag
     * @return this writer
     */
    RowWriter bool(boolean value);

    /**
     * A {@code Date} column.
     *
     * @param value from 1970-01-01 to 2149-06-06
     * @return this writer
     */
    RowWriter date(LocalDate value);
}
