package io.syncer.sink.clickhouse;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;

/**
 * The rows of one insert, encoded back to back in one growable array (RowBinary: little-endian
 * numbers, strings as a varint length and UTF-8 bytes; or JSONEachRow lines), with where each row
 * starts, so a range of rows streams as one slice and a split insert needs no copy. A row is begun,
 * written, then ended or aborted (a bad value rolls the row back). Values are counted per row so a
 * mapper that writes the wrong number of columns is caught; each range check throws
 * {@link IllegalArgumentException} with the column's position and the value.
 */
final class RowBuffer implements RowWriter {
    private byte[] buf;
    private int size;
    private int values;
    private int rowStart;
    private int[] starts = new int[64];
    private int rows;

    RowBuffer() {
        this(4096);
    }

    /** A buffer sized for about {@code expectedBytes} (the size of the last insert of its kind). */
    RowBuffer(int expectedBytes) {
        buf = new byte[Math.max(256, expectedBytes)];
    }

    void beginRow() {
        rowStart = size;
        values = 0;
    }

    void endRow() {
        if (rows == starts.length) {
            starts = Arrays.copyOf(starts, rows * 2);
        }
        starts[rows++] = rowStart;
    }

    void abortRow() {
        size = rowStart;
    }

    /** Values written to the current row. */
    int values() {
        return values;
    }

    /** Bytes written so far. */
    int size() {
        return size;
    }

    int rows() {
        return rows;
    }

    /** Appends bytes to the current row as they are (a JSON line). */
    void raw(byte[] bytes) {
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buf, size, bytes.length);
        size += bytes.length;
    }

    /** Rows {@code from} (inclusive) to {@code to} (exclusive), as they go on the wire. */
    void writeRows(java.io.OutputStream out, int from, int to) throws java.io.IOException {
        int start = starts[from];
        int end = to == rows ? size : starts[to];
        out.write(buf, start, end - start);
    }

    /** All rows' bytes, for tests. */
    byte[] bytes() {
        return Arrays.copyOf(buf, size);
    }

    private void ensure(int more) {
        if (size + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
        }
    }

    private void littleEndian(long v, int bytes) {
        ensure(bytes);
        for (int i = 0; i < bytes; i++) {
            buf[size++] = (byte) (v >>> (8 * i));
        }
        values++;
    }

    private IllegalArgumentException outOfRange(String type, Object value) {
        return new IllegalArgumentException("column " + (values + 1) + ": " + value + " does not fit " + type);
    }

    @Override
    public RowWriter string(String value) {
        if (value == null) {
            throw new IllegalArgumentException("column " + (values + 1) + ": null for a String column");
        }
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        ensure(utf8.length + 5);
        long n = utf8.length;
        while ((n & ~0x7FL) != 0) {
            buf[size++] = (byte) ((n & 0x7F) | 0x80);
            n >>>= 7;
        }
        buf[size++] = (byte) n;
        System.arraycopy(utf8, 0, buf, size, utf8.length);
        size += utf8.length;
        values++;
        return this;
    }

    @Override
    public RowWriter uint8(int value) {
        if (value < 0 || value > 0xFF) {
            throw outOfRange("UInt8", value);
        }
        littleEndian(value, 1);
        return this;
    }

    @Override
    public RowWriter uint16(int value) {
        if (value < 0 || value > 0xFFFF) {
            throw outOfRange("UInt16", value);
        }
        littleEndian(value, 2);
        return this;
    }

    @Override
    public RowWriter uint32(long value) {
        if (value < 0 || value > 0xFFFF_FFFFL) {
            throw outOfRange("UInt32", value);
        }
        littleEndian(value, 4);
        return this;
    }

    @Override
    public RowWriter uint64(long value) {
        if (value < 0) {
            throw outOfRange("UInt64", value);
        }
        littleEndian(value, 8);
        return this;
    }

    @Override
    public RowWriter int32(int value) {
        littleEndian(value, 4);
        return this;
    }

    @Override
    public RowWriter int64(long value) {
        littleEndian(value, 8);
        return this;
    }

    @Override
    public RowWriter float64(double value) {
        littleEndian(Double.doubleToRawLongBits(value), 8);
        return this;
    }

    @Override
    public RowWriter dateTime(Instant value) {
        long seconds = value.getEpochSecond();
        if (seconds < 0 || seconds > 0xFFFF_FFFFL) {
            throw outOfRange("DateTime", value);
        }
        littleEndian(seconds, 4);
        return this;
    }

    @Override
    public RowWriter dateTime64(Instant value, int precision) {
        if (precision < 0 || precision > 9) {
            throw new IllegalArgumentException("column " + (values + 1) + ": DateTime64 precision must be 0 to 9, got " + precision);
        }
        long scale = 1;
        for (int i = 0; i < precision; i++) {
            scale *= 10;
        }
        long ticks = Math.addExact(Math.multiplyExact(value.getEpochSecond(), scale),
                value.getNano() / (1_000_000_000L / scale));
        littleEndian(ticks, 8);
        return this;
    }

    @Override
    public RowWriter bool(boolean value) {
        littleEndian(value ? 1 : 0, 1);
        return this;
    }

    @Override
    public RowWriter date(LocalDate value) {
        long days = value.toEpochDay();
        if (days < 0 || days > 0xFFFF) {
            throw outOfRange("Date", value);
        }
        littleEndian(days, 2);
        return this;
    }
}
