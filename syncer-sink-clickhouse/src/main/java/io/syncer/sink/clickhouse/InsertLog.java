package io.syncer.sink.clickhouse;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.insert.InsertResponse;
import com.clickhouse.client.api.query.QueryResponse;
import com.clickhouse.client.api.query.QuerySettings;
import com.clickhouse.data.ClickHouseFormat;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;

/**
 * The sink's insert log: a small ClickHouse table with one row per insert <em>before</em> it is sent
 * (its table, source partition, offsets and deduplication token) and one row per insert
 * <em>after</em> the server acknowledged it (the same token, {@code done = 1}). It is what makes
 * inserts repeatable after a crash: the restarted pipeline reads what was logged for a partition
 * from its first uncommitted offset on, skips records whose insert is known done, and sends the
 * others again in exactly the logged inserts with the logged tokens, so the server drops those that
 * had landed. See {@link ClickHouseSink.Builder#insertLog}.
 *
 * <p>The table ({@link #ddl}) is a MergeTree ordered by source partition and last offset, so a
 * partition's reads touch only its range; rows expire by TTL. Writes are one small insert per sink
 * batch (all of that batch's inserts in one) before, and one after; they are the log's whole cost.
 */
final class InsertLog {
    /** The columns of the log table, in the order rows are written. */
    static final List<String> COLUMNS = List.of("target", "topic", "partition", "first", "last", "rows", "token",
            "offsets", "done", "written");

    private final Client client;
    private final String table;
    private final String quoted;

    InsertLog(Client client, String table) {
        this.client = client;
        this.table = table;
        this.quoted = TableNames.quotedTable(table);
    }

    String table() {
        return table;
    }

    /** The log table's DDL (created at build when missing). */
    static String ddl(String quotedTable, Duration ttl) {
        return "CREATE TABLE IF NOT EXISTS " + quotedTable + " (target String, topic String, partition UInt32,"
                + " first UInt64, last UInt64, rows UInt32, token String, offsets String, done UInt8,"
                + " written DateTime64(3)) ENGINE = MergeTree ORDER BY (topic, partition, last)"
                + " TTL toDateTime(written) + INTERVAL " + Math.max(1, ttl.toHours()) + " HOUR";
    }

    /** Creates the table when it does not exist. */
    void create(Duration ttl) throws Exception {
        client.execute(ddl(quoted, ttl)).get(60, TimeUnit.SECONDS).close();
    }

    /** One insert as the log knows it. */
    static final class Entry {
        final String target;
        final TopicPartition partition;
        final String token;
        final long[] offsets;
        final boolean done;
        final long written;

        Entry(String target, TopicPartition partition, String token, long[] offsets, boolean done, long written) {
            this.target = target;
            this.partition = partition;
            this.token = token;
            this.offsets = offsets;
            this.done = done;
            this.written = written;
        }
    }

    /**
     * Writes entries in one insert: intents ({@code done} false, with their offsets) before their
     * inserts, done marks after. Blocks; runs on the sink's insert threads.
     */
    void write(List<Entry> entries) throws Exception {
        RowBuffer rows = new RowBuffer();
        long now = System.currentTimeMillis();
        for (Entry e : entries) {
            TopicPartition tp = e.partition;
            rows.beginRow();
            rows.string(e.target).string(tp.topic()).uint32(tp.partition()).uint64(e.offsets[0])
                    .uint64(e.offsets[e.offsets.length - 1]).uint32(e.offsets.length).string(e.token)
                    .string(e.done ? "" : encode(e.offsets)).uint8(e.done ? 1 : 0)
                    .dateTime64(Instant.ofEpochMilli(now), 3);
            rows.endRow();
        }
        try (InsertResponse r = client.insert(quoted, COLUMNS, out -> rows.writeRows(out, 0, rows.rows()),
                ClickHouseFormat.RowBinary, new com.clickhouse.client.api.insert.InsertSettings()).get()) {
            // acknowledged
        }
    }

    /**
     * What was logged for {@code partition} with a last offset at or after {@code from}: one entry per
     * insert, done when its done mark is there. Blocks; runs on the sink's insert threads.
     */
    List<Entry> load(TopicPartition partition, long from) throws Exception {
        String sql = "SELECT target, token, max(offsets), max(done), toUnixTimestamp64Milli(max(written)) FROM " + quoted
                + " WHERE topic = '" + partition.topic().replace("\\", "\\\\").replace("'", "\\'") + "' AND partition = "
                + partition.partition() + " AND last >= " + from + " GROUP BY target, token";
        QuerySettings settings = new QuerySettings().setFormat(ClickHouseFormat.TabSeparated);
        List<Entry> out = new ArrayList<>();
        try (QueryResponse r = client.query(sql, settings).get(60, TimeUnit.SECONDS);
             BufferedReader in = new BufferedReader(new InputStreamReader(r.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.isEmpty()) {
                    continue;
                }
                String[] f = line.split("\t", -1);
                if (f.length != 5) {
                    throw new IllegalStateException("insert log " + table + ": unexpected row: " + line);
                }
                boolean done = "1".equals(f[3]);
                long[] offsets = f[2].isEmpty() ? new long[0] : decode(f[2]);
                if (offsets.length == 0) {
                    continue; // a done mark whose intent expired: nothing to match
                }
                out.add(new Entry(f[0], partition, f[1], offsets, done, Long.parseLong(f[4])));
            }
        }
        return out;
    }

    /** Sorted offsets as base64 of unsigned LEB128 deltas: about one byte per record of a dense partition. */
    static String encode(long[] sorted) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(sorted.length + 8);
        long previous = 0;
        for (long offset : sorted) {
            long v = offset - previous;
            previous = offset;
            while ((v & ~0x7FL) != 0) {
                bytes.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            bytes.write((int) v);
        }
        return Base64.getEncoder().encodeToString(bytes.toByteArray());
    }

    static long[] decode(String text) {
        ByteBuffer in = ByteBuffer.wrap(Base64.getDecoder().decode(text));
        long[] out = new long[16];
        int n = 0;
        long previous = 0;
        while (in.hasRemaining()) {
            long v = 0;
            int shift = 0;
            byte b;
            do {
                b = in.get();
                v |= (long) (b & 0x7F) << shift;
                shift += 7;
            } while ((b & 0x80) != 0);
            previous += v;
            if (n == out.length) {
                out = Arrays.copyOf(out, n * 2);
            }
            out[n++] = previous;
        }
        return Arrays.copyOf(out, n);
    }
}
