package io.syncer.sink.clickhouse;

import io.syncer.sink.SinkResult;
import java.util.ArrayList;
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
    private final List<SinkResult[]> targets;
    private final List<Integer> indexes;
    private final List<Long> offsets;
    private final int from;
    private int to;
    private String topic;
    private int partition;

    Insert(String table, String quoted) {
        this(table, quoted, new RowBuffer(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), 0, 0);
    }

    private Insert(String table, String quoted, RowBuffer buffer, List<SinkResult[]> targets, List<Integer> indexes,
                   List<Long> offsets, int from, int to) {
        this.table = table;
        this.quoted = quoted;
        this.buffer = buffer;
        this.targets = targets;
        this.indexes = indexes;
        this.offsets = offsets;
        this.from = from;
        this.to = to;
    }

    /** Records that the row just ended in the buffer is {@code source}, whose result goes to {@code out[index]}. */
    void add(SinkResult[] out, int index, ConsumerRecord<byte[], byte[]> source) {
        targets.add(out);
        indexes.add(index);
        offsets.add(source.offset());
        topic = source.topic();
        partition = source.partition();
        to++;
    }

    int size() {
        return to - from;
    }

    String topic() {
        return topic;
    }

    int partition() {
        return partition;
    }

    /** This insert's source offsets, in row order (ascending when tokens are on). */
    long[] offsets() {
        long[] out = new long[size()];
        for (int k = 0; k < out.length; k++) {
            out[k] = offsets.get(from + k);
        }
        return out;
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
        Insert s = new Insert(table, quoted, buffer, targets, indexes, offsets, from + a, from + b);
        s.topic = topic;
        s.partition = partition;
        return s;
    }

    /** Streams this insert's rows. */
    void writeRows(java.io.OutputStream out) throws java.io.IOException {
        buffer.writeRows(out, from, to);
    }

    /** Sets the result of this insert's row {@code k}. */
    void deliver(int k, SinkResult result) {
        targets.get(from + k)[indexes.get(from + k)] = result;
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
