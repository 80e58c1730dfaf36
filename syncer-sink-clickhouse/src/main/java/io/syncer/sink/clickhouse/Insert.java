package io.syncer.sink.clickhouse;

import io.syncer.sink.SinkResult;
import java.util.Collections;
import java.util.List;
import java.util.zip.CRC32;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * One insert: a range of rows of a buffer (all of it, or a half after a split), where each row's
 * result goes (a slot of the batch's result array; rows gathered from several batches after a
 * crash have several arrays), and the rows' source offsets (one partition per insert when
 * deduplication tokens are on).
 */
final class Insert {
    final String table;
    final String quoted;
    final RowBuffer buffer;
    private final Rows rows;
    private final int from;
    private final int to;
    private String topic;
    private int partition;

    /**
     * Where the rows' results go and their offsets, in primitive arrays: an insert of 50,000 rows
     * must not add 100,000 boxed numbers for the collector to copy while the insert runs. The
     * result array is one for all rows unless rows were gathered from several batches.
     */
    private static final class Rows {
        SinkResult[] out;
        SinkResult[][] outs;
        int[] indexes = new int[64];
        long[] offsets = new long[64];
        int size;
    }

    Insert(String table, String quoted) {
        this(table, quoted, new RowBuffer(), new Rows(), 0, -1);
    }

    Insert(String table, String quoted, int expectedBytes) {
        this(table, quoted, new RowBuffer(expectedBytes), new Rows(), 0, -1);
    }

    private Insert(String table, String quoted, RowBuffer buffer, Rows rows, int from, int to) {
        this.table = table;
        this.quoted = quoted;
        this.buffer = buffer;
        this.rows = rows;
        this.from = from;
        this.to = to;
    }

    /** Records that the row just ended in the buffer is {@code source}, whose result goes to {@code out[index]}. */
    void add(SinkResult[] out, int index, ConsumerRecord<byte[], byte[]> source) {
        Rows r = rows;
        int n = r.size;
        if (n == r.indexes.length) {
            r.indexes = java.util.Arrays.copyOf(r.indexes, n * 2);
            r.offsets = java.util.Arrays.copyOf(r.offsets, n * 2);
            if (r.outs != null) {
                r.outs = java.util.Arrays.copyOf(r.outs, n * 2);
            }
        }
        if (n == 0) {
            r.out = out;
        } else if (r.outs == null && out != r.out) {
            r.outs = new SinkResult[r.indexes.length][];
            java.util.Arrays.fill(r.outs, 0, n, r.out);
        }
        if (r.outs != null) {
            r.outs[n] = out;
        }
        r.indexes[n] = index;
        r.offsets[n] = source.offset();
        r.size = n + 1;
        topic = source.topic();
        partition = source.partition();
    }

    /** Rows in this insert: all added so far for a whole insert, the slice's for a half. */
    int size() {
        return (to < 0 ? rows.size : to) - from;
    }

    private int end() {
        return to < 0 ? rows.size : to;
    }

    String topic() {
        return topic;
    }

    int partition() {
        return partition;
    }

    /** This insert's source offsets, in row order (ascending when tokens are on). */
    long[] offsets() {
        return java.util.Arrays.copyOfRange(rows.offsets, from, end());
    }

    /**
     * Names exactly these rows: the table, the source partition, the offset range, the row count and
     * a hash of the offsets in ascending order. The range alone would not do: a record retried into
     * a later batch leaves a gap, and a re-delivery that fills the gap must not be taken for the
     * insert that had it (the server would drop the whole insert, the retried record with it). The
     * same rows gathered again after a crash, in any order, give the same token.
     */
    String token() {
        long[] mine = offsets();
        java.util.Arrays.sort(mine);
        CRC32 crc = new CRC32();
        for (long offset : mine) {
            for (int b = 0; b < 8; b++) {
                crc.update((int) (offset >>> (8 * b)));
            }
        }
        return table + "-" + topic + "-" + partition + "-" + mine[0] + "-" + mine[mine.length - 1]
                + "-" + mine.length + "-" + Long.toHexString(crc.getValue());
    }

    /** Rows {@code a} to {@code b} of this insert, sharing its buffer. */
    Insert slice(int a, int b) {
        Insert s = new Insert(table, quoted, buffer, rows, from + a, from + b);
        s.topic = topic;
        s.partition = partition;
        return s;
    }

    /** Streams this insert's rows. */
    void writeRows(java.io.OutputStream out) throws java.io.IOException {
        buffer.writeRows(out, from, end());
    }

    /** Sets the result of this insert's row {@code k}. */
    void deliver(int k, SinkResult result) {
        int i = from + k;
        (rows.outs == null ? rows.out : rows.outs[i])[rows.indexes[i]] = result;
    }

    /** Sets one result for every row. */
    void deliverAll(SinkResult result) {
        for (int k = 0; k < size(); k++) {
            deliver(k, result);
        }
    }

    List<SinkResult> all(SinkResult r) {
        return Collections.nCopies(size(), r);
    }
}
