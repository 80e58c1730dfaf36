package io.syncer.sink.clickhouse;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.insert.InsertResponse;
import com.clickhouse.client.api.insert.InsertSettings;
import com.clickhouse.data.ClickHouseFormat;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.syncer.sink.BatchPolicy;
import io.syncer.sink.Sink;
import io.syncer.sink.SinkBuilder;
import io.syncer.sink.SinkRecord;
import io.syncer.sink.SinkResult;
import io.syncer.sink.SinkSettings;
import io.syncer.sink.SinkWriteException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Inserts records into ClickHouse through the official client ({@code client-v2}), into the table
 * the router chose per record ({@code Route.to("ch", "access_stats_" + appid)}) or the sink's
 * default table, in large batches: one insert per table per batch, streamed as RowBinary
 * ({@link Builder#rowBinary}, the fastest path) or JSONEachRow ({@link Builder#jsonEachRow}, the
 * default: the item's fields by name, checked by the server).
 *
 * <p>Names. A table must be a plain identifier, optionally {@code database.table}; a route to
 * anything else (a tenant id with a quote, a backtick or {@code ;}) fails that record with the
 * reason before any SQL is built, and accepted names are quoted, so a route can never inject SQL.
 *
 * <p>Outcomes per insert, by ClickHouse error code:
 * <ul>
 *   <li>retried by core: the codes ClickHouse's Kafka connector retries (3, 107, 159, 164, 202, 203,
 *       209, 210, 241 memory limit, 242, 252 too many parts, 285, 319, 425, 999), timeouts, refused
 *       connections and 5xx without a code;</li>
 *   <li>the table cannot take writes (unknown table, database or column; no rights on it): that
 *       table's rows are held un-acknowledged and probed alone with a backoff while the other tables
 *       go on, the pipeline's health lists {@code sink/table}, nothing is dead-lettered; the sink
 *       cannot write at all (unknown user, wrong password): every row is held the same way;</li>
 *   <li>any other server error is the data's: the insert is split in halves until the row at fault
 *       is alone, which is dead-lettered with the server's message (headers
 *       {@code syncer.dlt.detail.clickhouse.*}); its neighbours are inserted.</li>
 * </ul>
 *
 * <p>No duplicates after a crash, two ways. (1) {@link Builder#coordinates}: the sink also writes
 * {@code _topic String, _partition UInt32, _offset UInt64}; a {@code ReplacingMergeTree} ordered by
 * them, or a query with {@code FINAL} or {@code LIMIT 1 BY _topic, _partition, _offset}, sees each
 * record once, on every server version. (2) {@link Builder#deduplicationTokens}: each insert holds
 * the rows of one source partition and carries {@code insert_deduplication_token =
 * <table>-<topic>-<partition>-<first offset>-<last offset>-<rows>-<crc of the offsets>}, so a server (22.2 and later, with
 * deduplication enabled on the table) drops an insert repeated with the same rows: client-v2's own
 * retry of a request that timed out after it landed (if the client is built to retry timeouts).
 * Core's retries and a crash do not repeat an insert: their records are batched anew, so the
 * inserts and tokens differ; use (1) for those.
 *
 * <p>Delivery is at least once. Thread-safe. The client is the caller's and is not closed here;
 * build it with {@code setMaxRetries(0)} so core's retry policy is the one retry layer.
 *
 * @param <T> the item type
 */
public final class ClickHouseSink<T> implements Sink<T> {
    /**
     * Default {@link SinkBuilder#batchPolicy}: 50,000 rows or 32 MiB per batch, 1 s linger, 2
     * batches in flight: large inserts, few parts. A batch cannot hold more records than the
     * pipeline keeps in flight ({@code ConsumerGroupConfig.maxQueuedRecords}, 10,000 by default):
     * raise that for larger inserts.
     */
    public static final BatchPolicy DEFAULT_BATCH_POLICY = BatchPolicy.builder().maxRecords(50_000)
            .maxBytes(32L * 1024 * 1024).linger(Duration.ofSeconds(1)).maxInFlight(2).build();
    /** Default {@link Builder#insertThreads}: 4. */
    public static final int DEFAULT_INSERT_THREADS = 4;
    /** The coordinate columns {@link Builder#coordinates} adds, in this order. */
    public static final List<String> COORDINATE_COLUMNS = List.of("_topic", "_partition", "_offset");

    private static final Logger LOG = LoggerFactory.getLogger(ClickHouseSink.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] NEWLINE = {'\n'};

    private final SinkSettings settings;
    private final String name;
    private final Client client;
    private final RowMapper<T> rowMapper;
    private final List<String> columns;
    private final Function<? super T, ?> jsonRow;
    private final boolean coordinates;
    private final boolean tokens;
    private final ExecutorService inserters;

    private ClickHouseSink(Builder<T> b, boolean tokens) {
        this.settings = b.settings();
        this.name = settings.name();
        this.client = b.client;
        this.rowMapper = b.rowMapper;
        this.jsonRow = b.jsonRow;
        this.coordinates = b.coordinates;
        List<String> cols = new ArrayList<>(b.columns);
        if (coordinates && rowMapper != null) {
            cols.addAll(COORDINATE_COLUMNS);
        }
        this.columns = List.copyOf(cols);
        this.tokens = tokens;
        AtomicInteger n = new AtomicInteger();
        this.inserters = Executors.newFixedThreadPool(b.insertThreads, r -> {
            Thread t = new Thread(r, "syncer-sink-" + name + "-insert-" + n.getAndIncrement());
            t.setDaemon(true);
            t.setUncaughtExceptionHandler((thread, e) -> LOG.error("uncaught exception in {}", thread.getName(), e));
            return t;
        });
    }

    /** Stops the sink's insert threads after the inserts they run; the client stays open (it is the caller's). */
    @Override
    public void close() {
        inserters.shutdown();
        try {
            if (!inserters.awaitTermination(30, TimeUnit.SECONDS)) {
                inserters.shutdownNow();
            }
        } catch (InterruptedException e) {
            inserters.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A builder for a sink called {@code name} inserting through {@code client}.
     *
     * @param <T> the item type
     * @param name the sink's name, used in routes
     * @param client the client (not closed by the sink)
     * @return the builder
     */
    public static <T> Builder<T> builder(String name, Client client) {
        return new Builder<>(name, client);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public BatchPolicy batchPolicy() {
        return settings.batchPolicy();
    }

    /** @return whether inserts carry deduplication tokens (decided once, at build) */
    public boolean usesDeduplicationTokens() {
        return tokens;
    }

    @Override
    public CompletionStage<List<SinkResult>> write(List<SinkRecord<T>> batch) {
        SinkResult[] out = new SinkResult[batch.size()];
        Map<String, String> quoted = new HashMap<>();
        Map<Object, Insert> inserts = new LinkedHashMap<>();
        for (int i = 0; i < batch.size(); i++) {
            SinkRecord<T> record = batch.get(i);
            String table = settings.destinationOf(record);
            if (table == null) {
                out[i] = settings.noDestination();
                continue;
            }
            String q = quoted.computeIfAbsent(table, TableNames::quotedTable);
            if (q == null) {
                out[i] = recordError(table, "goes to '" + table + "', which is not a plain table name "
                        + "([A-Za-z_][A-Za-z0-9_]*, optionally database.table)", record, null);
                continue;
            }
            ConsumerRecord<byte[], byte[]> s = record.source();
            Object key = tokens ? List.of(q, s.topic(), s.partition()) : q;
            Insert insert = inserts.computeIfAbsent(key, k -> new Insert(table, q));
            RowBuffer rows = insert.buffer;
            rows.beginRow();
            try {
                encode(record, rows);
            } catch (Exception e) {
                rows.abortRow();
                out[i] = recordError(table, "cannot be written as a row: " + e.getMessage(), record, e);
                continue;
            }
            rows.endRow();
            insert.add(i, s);
        }
        List<CompletableFuture<Void>> sent = new ArrayList<>();
        for (Insert insert : inserts.values()) {
            if (insert.size() == 0) {
                continue; // every row of it failed before the insert
            }
            sent.add(insert(insert).thenAccept(rs -> {
                for (int k = 0; k < rs.size(); k++) {
                    out[insert.index(k)] = rs.get(k);
                }
            }));
        }
        if (sent.isEmpty()) {
            return CompletableFuture.completedFuture(Arrays.asList(out));
        }
        return CompletableFuture.allOf(sent.toArray(new CompletableFuture<?>[0])).thenApply(ignored -> Arrays.asList(out));
    }

    private void encode(SinkRecord<T> record, RowBuffer row) throws Exception {
        ConsumerRecord<byte[], byte[]> s = record.source();
        if (rowMapper != null) {
            rowMapper.write(record, row);
            if (coordinates) {
                row.string(s.topic()).uint32(s.partition()).uint64(s.offset());
            }
            if (row.values() != columns.size()) {
                throw new IllegalArgumentException("the mapper wrote " + (row.values() - (coordinates ? 3 : 0))
                        + " values for " + (columns.size() - (coordinates ? 3 : 0)) + " columns");
            }
            return;
        }
        Object value = jsonRow.apply(record.value());
        ObjectNode node = value instanceof ObjectNode ? ((ObjectNode) value).deepCopy() : JSON.valueToTree(value);
        if (node == null) {
            throw new IllegalArgumentException("the row is not a JSON object");
        }
        if (coordinates) {
            node.put("_topic", s.topic()).put("_partition", s.partition()).put("_offset", s.offset());
        }
        row.raw(JSON.writeValueAsBytes(node));
        row.raw(NEWLINE);
    }

    /** One insert; a data error of several rows splits it to find the row at fault. */
    private CompletableFuture<List<SinkResult>> insert(Insert insert) {
        InsertSettings s = new InsertSettings();
        if (tokens) {
            s.setDeduplicationToken(insert.token());
        }
        CompletableFuture<Throwable> done;
        try {
            // on the sink's own threads: client-v2 runs a request on the calling thread unless built with useAsyncRequests
            done = CompletableFuture.supplyAsync(() -> {
                try (InsertResponse r = client.insert(insert.quoted, rowMapper != null ? columns : null,
                        output -> insert.buffer.writeRows(output, insert.from, insert.to), rowMapper != null ? ClickHouseFormat.RowBinary : ClickHouseFormat.JSONEachRow, s).get()) {
                    return null;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return e;
                } catch (Exception e) {
                    return e;
                }
            }, inserters);
        } catch (RuntimeException rejected) {
            done = CompletableFuture.completedFuture(rejected);
        }
        return done.thenCompose(error -> {
            if (error == null) {
                return CompletableFuture.completedFuture(insert.all(SinkResult.ok()));
            }
            ClickHouseOutcome outcome = ClickHouseOutcome.of(name, insert.table, error);
            if (outcome.kind == ClickHouseOutcome.Kind.ROWS && insert.size() > 1) {
                int half = insert.size() / 2;
                return insert(insert.slice(0, half)).thenCombine(insert(insert.slice(half, insert.size())), (a, b) -> {
                    List<SinkResult> all = new ArrayList<>(a);
                    all.addAll(b);
                    return all;
                });
            }
            return CompletableFuture.completedFuture(insert.all(outcome.result()));
        });
    }

    private SinkResult recordError(String table, String problem, SinkRecord<T> record, Throwable cause) {
        ConsumerRecord<byte[], byte[]> s = record.source();
        return SinkResult.fail(new SinkWriteException(name, "sink " + name + ": the record at " + s.topic() + "-"
                + s.partition() + "@" + s.offset() + " " + problem, false,
                Map.of(ClickHouseOutcome.TABLE, table, ClickHouseOutcome.CODE, "RejectedBeforeInsert"), cause));
    }

    @Override
    public String toString() {
        return "ClickHouseSink{name=" + name + ", format=" + (rowMapper != null ? "RowBinary" + columns : "JSONEachRow")
                + ", coordinates=" + coordinates + ", deduplicationTokens=" + tokens + ", " + settings + '}';
    }

    /**
     * One insert: a range of rows of a buffer (all of it, or a half after a split), which batch
     * records they are, and their source offsets (one partition per insert when tokens are on).
     */
    private static final class Insert {
        final String table;
        final String quoted;
        final RowBuffer buffer;
        final List<Integer> indexes;
        final List<Long> offsets;
        final int from;
        int to;
        String topic;
        int partition;

        Insert(String table, String quoted) {
            this(table, quoted, new RowBuffer(), new ArrayList<>(), new ArrayList<>(), 0, 0);
        }

        private Insert(String table, String quoted, RowBuffer buffer, List<Integer> indexes, List<Long> offsets,
                       int from, int to) {
            this.table = table;
            this.quoted = quoted;
            this.buffer = buffer;
            this.indexes = indexes;
            this.offsets = offsets;
            this.from = from;
            this.to = to;
        }

        /** Records that the row just ended in the buffer is batch record {@code index}. */
        void add(int index, ConsumerRecord<byte[], byte[]> source) {
            indexes.add(index);
            offsets.add(source.offset());
            topic = source.topic();
            partition = source.partition();
            to++;
        }

        int size() {
            return to - from;
        }

        /**
         * Names exactly these rows: the table, the source partition, the offset range, the row count
         * and a hash of the offsets. The range alone would not do: a record retried into a later
         * batch leaves a gap, and a re-delivery that fills the gap must not be taken for the insert
         * that had it (the server would drop the whole insert, the retried record with it).
         */
        String token() {
            List<Long> mine = offsets.subList(from, to);
            java.util.zip.CRC32 crc = new java.util.zip.CRC32();
            for (long offset : mine) {
                for (int b = 0; b < 8; b++) {
                    crc.update((int) (offset >>> (8 * b)));
                }
            }
            return table + "-" + topic + "-" + partition + "-" + Collections.min(mine) + "-" + Collections.max(mine)
                    + "-" + mine.size() + "-" + Long.toHexString(crc.getValue());
        }

        /** Rows {@code a} to {@code b} of this insert, sharing its buffer. */
        Insert slice(int a, int b) {
            Insert s = new Insert(table, quoted, buffer, indexes, offsets, from + a, from + b);
            s.topic = topic;
            s.partition = partition;
            return s;
        }

        /** The batch index of this insert's row {@code k}. */
        int index(int k) {
            return indexes.get(from + k);
        }

        List<SinkResult> all(SinkResult r) {
            return Collections.nCopies(size(), r);
        }
    }

    /**
     * Validating builder with named defaults; not thread-safe.
     *
     * @param <T> the item type
     */
    public static final class Builder<T> extends SinkBuilder<Builder<T>> {
        private final Client client;
        private RowMapper<T> rowMapper;
        private List<String> columns = List.of();
        private Function<? super T, ?> jsonRow = Function.identity();
        private boolean coordinates;
        private Boolean tokens;
        private int insertThreads = DEFAULT_INSERT_THREADS;

        private Builder(String name, Client client) {
            super(name, "table", DEFAULT_BATCH_POLICY);
            this.client = Objects.requireNonNull(client, "client");
        }

        /**
         * The table for records whose route names none. Default: none (such records fail).
         *
         * @param table a plain identifier, optionally {@code database.table}
         * @return this builder
         */
        public Builder<T> table(String table) {
            if (TableNames.quotedTable(table) == null) {
                throw new IllegalArgumentException("not a plain table name: " + table);
            }
            return defaultDestination(table);
        }

        /**
         * Inserts in RowBinary: {@code mapper} writes each record's values in the order of
         * {@code columns} (plus the coordinate columns, written by the sink, with {@link #coordinates}).
         *
         * @param columns the table's columns the mapper writes, in order; plain identifiers
         * @param mapper writes one row
         * @return this builder
         */
        public Builder<T> rowBinary(List<String> columns, RowMapper<T> mapper) {
            Objects.requireNonNull(columns, "columns");
            if (columns.isEmpty()) {
                throw new IllegalArgumentException("columns must not be empty");
            }
            for (String c : columns) {
                if (!TableNames.isIdentifier(c)) {
                    throw new IllegalArgumentException("not a plain column name: " + c);
                }
            }
            this.columns = List.copyOf(columns);
            this.rowMapper = Objects.requireNonNull(mapper, "mapper");
            return this;
        }

        /**
         * Inserts in JSONEachRow (the default, with the item itself): {@code row} gives each record's
         * row as any object Jackson serializes to a JSON object (a POJO, a {@code Map}, an
         * {@code ObjectNode}); the server maps fields to columns by name and checks each value.
         *
         * @param row the row of an item
         * @return this builder
         */
        public Builder<T> jsonEachRow(Function<? super T, ?> row) {
            this.jsonRow = Objects.requireNonNull(row, "row");
            this.rowMapper = null;
            this.columns = List.of();
            return this;
        }

        /**
         * Also writes each record's {@code _topic String}, {@code _partition UInt32} and
         * {@code _offset UInt64}, so a {@code ReplacingMergeTree} ordered by them (or a query with
         * {@code FINAL}) counts a record delivered twice once. Default: off.
         *
         * @param on whether to write them
         * @return this builder
         */
        public Builder<T> coordinates(boolean on) {
            this.coordinates = on;
            return this;
        }

        /**
         * Whether each insert carries an {@code insert_deduplication_token} (one insert per table and
         * source partition). Default: on when the server takes the setting (22.2 and later), asked
         * once at {@link #build()} with a {@code SELECT 1} carrying it.
         *
         * @param on whether to send tokens
         * @return this builder
         */
        public Builder<T> deduplicationTokens(boolean on) {
            this.tokens = on;
            return this;
        }

        /**
         * Threads of the sink that run inserts (each waits for its insert's answer). Default
         * {@link #DEFAULT_INSERT_THREADS}.
         *
         * @param threads 1 to 64
         * @return this builder
         */
        public Builder<T> insertThreads(int threads) {
            if (threads < 1 || threads > 64) {
                throw new IllegalArgumentException("insertThreads must be 1 to 64, got " + threads);
            }
            this.insertThreads = threads;
            return this;
        }

        /**
         * Builds the sink; without an explicit {@link #deduplicationTokens} it asks the server once
         * whether it takes deduplication tokens.
         *
         * @return the sink
         */
        public ClickHouseSink<T> build() {
            boolean useTokens = tokens != null ? tokens : probeTokens(client, settings().name());
            return new ClickHouseSink<>(this, useTokens);
        }

        /**
         * Asks the server once whether it knows the setting (22.2 and later do): a {@code SELECT 1}
         * carrying it. client-v2's {@code getServerVersion()} answers "unknown" without asking, and
         * its query results are unreadable on 18.x, so the setting itself is the question.
         */
        static boolean probeTokens(Client client, String sink) {
            try {
                client.execute("SELECT 1 SETTINGS insert_deduplication_token = 'syncer-probe'").get(30, TimeUnit.SECONDS).close();
                LOG.info("sink {}: the server takes insert_deduplication_token: deduplication tokens on", sink);
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } catch (Exception e) {
                LOG.info("sink {}: the server does not take insert_deduplication_token ({}): deduplication tokens off",
                        sink, String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
                return false;
            }
        }
    }
}
