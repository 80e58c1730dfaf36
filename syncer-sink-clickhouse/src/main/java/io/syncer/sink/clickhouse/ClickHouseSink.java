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
import io.syncer.sink.SinkThreads;
import io.syncer.sink.SinkWriteException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import io.syncer.ConfigurationException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
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
 * record once, on every server version. (2) {@link Builder#insertLog}, on 22.2 and later: each
 * insert holds the rows of one source partition, in offset order, and carries
 * {@code insert_deduplication_token = <table>-<topic>-<partition>-<first offset>-<last offset>-<rows>-<crc of the offsets>}
 * ({@link Builder#deduplicationTokens}, on by default where the server takes it); the log records
 * each insert before it is sent and once it is acknowledged, and after a restart or a rebalance the
 * sink skips what is logged done and repeats the unconfirmed inserts exactly, under their tokens, so
 * the server (with deduplication enabled on the table) drops those that had landed: raw counts are
 * exact. Tokens without the log only make a repeated insert harmless (client-v2 retrying a request
 * that timed out after it landed).
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
    /** Default {@link Builder#replayWait}: 10 s. */
    public static final Duration DEFAULT_REPLAY_WAIT = Duration.ofSeconds(10);
    /** How long the {@link Builder#insertLog insert log} keeps its rows (a table TTL): 7 days. */
    public static final Duration INSERT_LOG_RETENTION = Duration.ofDays(7);
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
    private final Map<String, Integer> insertBytes = new java.util.concurrent.ConcurrentHashMap<>();
    private final InsertLog log;
    private final ScheduledExecutorService replayTimer;
    private final Replays replays;

    private ClickHouseSink(Builder<T> b, boolean tokens, InsertLog log) {
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
        this.inserters = Executors.newFixedThreadPool(b.insertThreads, SinkThreads.factory(name, "insert"));
        this.log = log;
        if (log != null) {
            this.replayTimer = Executors.newSingleThreadScheduledExecutor(SinkThreads.factory(name, "replay"));
            this.replays = new Replays(name, log, inserters, replayTimer, b.replayWait, this::send0);
        } else {
            this.replayTimer = null;
            this.replays = null;
        }
    }

    private CompletableFuture<Void> send0(Insert insert) {
        return send(List.of(insert));
    }

    /** Stops the sink's insert threads after the inserts they run; the client stays open (it is the caller's). */
    @Override
    public void close() {
        if (replays != null) {
            replays.flushAll(); // what is held goes in now, as far as it was gathered
            replayTimer.shutdownNow();
        }
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
    public void partitionAssigned(TopicPartition partition, long firstOffset) {
        if (replays != null) {
            replays.assigned(partition, firstOffset);
        }
    }

    @Override
    public void partitionsRevoked(Collection<TopicPartition> partitions) {
        if (replays != null) {
            replays.revoked(partitions);
        }
    }

    @Override
    public CompletionStage<List<SinkResult>> write(List<SinkRecord<T>> batch) {
        if (replays == null) {
            return writeNow(batch);
        }
        Set<TopicPartition> sources = new HashSet<>();
        for (SinkRecord<T> r : batch) {
            sources.add(new TopicPartition(r.source().topic(), r.source().partition()));
        }
        // the first batch of a partition after an assignment waits for its insert log to be read
        return replays.ready(sources).thenCompose(ignored -> writeNow(batch));
    }

    private CompletableFuture<List<SinkResult>> writeNow(List<SinkRecord<T>> batch) {
        SinkResult[] out = new SinkResult[batch.size()];
        Map<String, String> quoted = new HashMap<>();
        Map<Object, Insert> inserts = new LinkedHashMap<>();
        Integer[] order = tokens ? offsetOrder(batch) : null;
        for (int n = 0; n < batch.size(); n++) {
            int i = order == null ? n : order[n];
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
            if (replays != null) {
                Replays.Verdict verdict;
                try {
                    verdict = replays.match(table, q, s, () -> encodeAlone(record), out, i);
                } catch (Exception e) {
                    out[i] = recordError(table, "cannot be written as a row: " + e.getMessage(), record, e);
                    continue;
                }
                if (verdict == Replays.Verdict.DONE) {
                    out[i] = SinkResult.ok(); // the insert log says its insert landed before the restart
                    continue;
                }
                if (verdict == Replays.Verdict.HELD) {
                    continue;
                }
                if (verdict == Replays.Verdict.UNKNOWN) {
                    out[i] = SinkResult.retry(new SinkWriteException(name, "sink " + name + ": the insert log "
                            + log.table() + " could not be read for " + s.topic() + "-" + s.partition(), true,
                            Map.of(ClickHouseOutcome.TABLE, log.table()), null));
                    continue;
                }
            }
            Object key = tokens ? List.of(q, s.topic(), s.partition()) : q;
            Insert insert = inserts.computeIfAbsent(key, k -> new Insert(table, q, insertBytes.getOrDefault(q, 4096)));
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
            insert.add(out, i, s);
        }
        List<CompletableFuture<Void>> sent = new ArrayList<>();
        List<Insert> live = new ArrayList<>();
        for (Insert insert : inserts.values()) {
            if (insert.size() > 0) { // else every row of it failed before the insert
                live.add(insert);
                // the next insert into this table starts at this one's size: no doubling copies of a 2 MB buffer
                if (insertBytes.size() > 10_000) {
                    insertBytes.clear(); // routes to ever new tables: a hint only, never a leak
                }
                insertBytes.put(insert.quoted, Math.min(64 << 20, insert.buffer.size() + insert.buffer.size() / 8));
            }
        }
        if (!live.isEmpty()) {
            sent.add(send(live));
        }
        if (sent.isEmpty()) {
            return CompletableFuture.completedFuture(Arrays.asList(out));
        }
        return CompletableFuture.allOf(sent.toArray(new CompletableFuture<?>[0])).thenApply(ignored -> Arrays.asList(out));
    }

    /** The batch's indexes by source partition and offset, so each insert's rows are in offset order. */
    private static Integer[] offsetOrder(List<? extends SinkRecord<?>> batch) {
        Integer[] order = new Integer[batch.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> {
            ConsumerRecord<byte[], byte[]> x = batch.get(a).source();
            ConsumerRecord<byte[], byte[]> y = batch.get(b).source();
            int c = x.topic().compareTo(y.topic());
            if (c == 0) {
                c = Integer.compare(x.partition(), y.partition());
            }
            return c != 0 ? c : Long.compare(x.offset(), y.offset());
        });
        return order;
    }

    private byte[] encodeAlone(SinkRecord<T> record) throws Exception {
        RowBuffer one = new RowBuffer();
        one.beginRow();
        encode(record, one);
        one.endRow();
        return one.bytes();
    }

    /**
     * Sends inserts and puts each row's result in its slot: with the insert log, their intents are
     * logged first (a failure there fails them all, nothing inserted) and the inserts that fully
     * succeeded are logged done before the stage completes, so a record is acknowledged only once
     * the log can tell a restart that it landed.
     */
    private CompletableFuture<Void> send(List<Insert> inserts) {
        CompletableFuture<Throwable> logged;
        if (log == null) {
            logged = CompletableFuture.completedFuture(null);
        } else {
            List<InsertLog.Entry> intents = new ArrayList<>(inserts.size());
            for (Insert insert : inserts) {
                intents.add(entry(insert, false));
            }
            logged = onInserters(() -> log.write(intents));
        }
        return logged.thenCompose(logError -> {
            if (logError != null) {
                SinkResult r = ClickHouseOutcome.of(name, log.table(), logError).result();
                inserts.forEach(insert -> insert.deliverAll(r));
                return CompletableFuture.completedFuture(null);
            }
            List<Insert> succeeded = Collections.synchronizedList(new ArrayList<>());
            CompletableFuture<?>[] each = new CompletableFuture<?>[inserts.size()];
            for (int k = 0; k < each.length; k++) {
                Insert insert = inserts.get(k);
                each[k] = insert(insert).thenAccept(rs -> {
                    boolean ok = true;
                    for (int r = 0; r < rs.size(); r++) {
                        insert.deliver(r, rs.get(r));
                        ok &= rs.get(r).status() == SinkResult.Status.OK;
                    }
                    if (ok) {
                        succeeded.add(insert);
                    }
                });
            }
            CompletableFuture<Void> all = CompletableFuture.allOf(each);
            if (log == null) {
                return all;
            }
            return all.thenCompose(ignored -> {
                if (succeeded.isEmpty()) {
                    return CompletableFuture.completedFuture(null);
                }
                List<InsertLog.Entry> marks = new ArrayList<>(succeeded.size());
                for (Insert insert : succeeded) {
                    marks.add(entry(insert, true));
                }
                return onInserters(() -> log.write(marks)).thenAccept(markError -> {
                    if (markError != null) {
                        // the rows are in: acknowledge them; a crash before the next mark may repeat them once
                        LOG.warn("sink {}: inserted, but logging it done in {} failed: {}", name, log.table(),
                                String.valueOf(markError.getMessage()).lines().findFirst().orElse(""));
                    }
                });
            });
        });
    }

    private InsertLog.Entry entry(Insert insert, boolean done) {
        return new InsertLog.Entry(insert.table, new TopicPartition(insert.topic(), insert.partition()), insert.token(),
                insert.offsets(), done, 0);
    }

    /** Runs blocking work on the insert threads; completes with its failure, or null. */
    private CompletableFuture<Throwable> onInserters(Blocking work) {
        try {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    work.run();
                    return null;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return e;
                } catch (Exception e) {
                    return e;
                }
            }, inserters);
        } catch (RuntimeException rejected) {
            return CompletableFuture.completedFuture(rejected);
        }
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

    /** Blocking work for the insert threads. */
    @FunctionalInterface
    private interface Blocking {
        void run() throws Exception;
    }

    /** One insert; a data error of several rows splits it to find the row at fault. */
    private CompletableFuture<List<SinkResult>> insert(Insert insert) {
        InsertSettings s = new InsertSettings();
        if (tokens) {
            s.setDeduplicationToken(insert.token());
        }
        // on the sink's own threads: client-v2 runs a request on the calling thread unless built with useAsyncRequests
        CompletableFuture<Throwable> done = onInserters(() -> {
            try (InsertResponse r = client.insert(insert.quoted, rowMapper != null ? columns : null, insert::writeRows,
                    rowMapper != null ? ClickHouseFormat.RowBinary : ClickHouseFormat.JSONEachRow, s).get()) {
                // acknowledged
            }
        });
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
        private String insertLog;
        private Duration replayWait = DEFAULT_REPLAY_WAIT;

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
         * Keeps an insert log in {@code table} (created at {@link #build()} if missing, rows kept
         * {@link #INSERT_LOG_RETENTION}), so that after a crash or a rebalance each record is in its
         * table once, without {@code FINAL}: before each insert the sink logs its table, source
         * partition, offsets and token; after the server acknowledged it, that it is done (a record is
         * acknowledged only after that). A partition's new owner reads the log from its first
         * uncommitted offset, skips records whose insert is done and repeats the unconfirmed inserts
         * exactly, under their tokens, so the server drops those that had landed. Costs two small
         * inserts per batch and about one byte per record. Needs deduplication tokens (ClickHouse
         * 22.2+) and deduplication on the target tables (a Replicated table, or
         * {@code non_replicated_deduplication_window} on a MergeTree). Default: off.
         *
         * @param table the log table, a plain identifier, optionally {@code database.table}
         * @return this builder
         */
        public Builder<T> insertLog(String table) {
            if (TableNames.quotedTable(table) == null) {
                throw new IllegalArgumentException("not a plain table name: " + table);
            }
            this.insertLog = table;
            return this;
        }

        /**
         * With the {@link #insertLog}: how long records of an unconfirmed insert are held after a
         * restart for the rest of that insert to come again; then what came is inserted under a new
         * token (possibly a duplicate, never a loss). Default {@link #DEFAULT_REPLAY_WAIT}.
         *
         * @param wait 100 ms to 10 minutes
         * @return this builder
         */
        public Builder<T> replayWait(Duration wait) {
            Objects.requireNonNull(wait, "wait");
            if (wait.compareTo(Duration.ofMillis(100)) < 0 || wait.compareTo(Duration.ofMinutes(10)) > 0) {
                throw new IllegalArgumentException("replayWait must be 100 ms to 10 minutes, got " + wait);
            }
            this.replayWait = wait;
            return this;
        }

        /**
         * Builds the sink; without an explicit {@link #deduplicationTokens} it asks the server once
         * whether it takes deduplication tokens; with an {@link #insertLog} it creates the log table
         * if missing.
         *
         * @return the sink
         * @throws ConfigurationException when the insert log is asked for without tokens, or cannot be created
         */
        public ClickHouseSink<T> build() {
            boolean useTokens = tokens != null ? tokens : probeTokens(client, settings().name());
            InsertLog log = null;
            if (insertLog != null) {
                if (!useTokens) {
                    throw new ConfigurationException("sink " + settings().name() + ": the insert log needs deduplication"
                            + " tokens (ClickHouse 22.2 and later); on older servers use coordinates(true) with a"
                            + " ReplacingMergeTree and FINAL");
                }
                log = new InsertLog(client, insertLog);
                try {
                    log.create(INSERT_LOG_RETENTION);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ConfigurationException("sink " + settings().name() + ": interrupted creating the insert log", e);
                } catch (Exception e) {
                    throw new ConfigurationException("sink " + settings().name() + ": cannot create the insert log "
                            + insertLog + ": " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""), e);
                }
            }
            return new ClickHouseSink<>(this, useTokens, log);
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
