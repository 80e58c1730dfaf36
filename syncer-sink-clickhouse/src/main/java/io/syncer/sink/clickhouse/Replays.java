package io.syncer.sink.clickhouse;

import io.syncer.sink.SinkResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the insert log says about records that come again: per assigned source partition, loaded
 * once from its first consumed offset on ({@link #assigned}), the logged inserts of each table.
 * A record whose insert is logged done is skipped (it is in the table); a record whose insert was
 * logged but never confirmed is held until every record of that insert has come again, then they
 * are inserted together, in offset order, under the same deduplication token, so the server drops
 * the insert if it had landed and takes it if it had not. An insert that cannot be gathered whole
 * (some of its records were committed through another insert, the partition was revoked, or they
 * do not all come within the wait) is inserted as far as it was gathered, under a new token: at
 * worst duplicates, never a loss.
 *
 * <p>Thread-safe: the sink's writers call {@link #match}, the poll thread calls {@link #assigned}
 * and {@link #revoked}, the timer flushes; each partition's state is guarded by itself.
 */
final class Replays {
    private static final Logger LOG = LoggerFactory.getLogger(Replays.class);

    private final String sink;
    private final InsertLog log;
    private final ExecutorService loader;
    private final ScheduledExecutorService timer;
    private final Duration wait;
    private final Function<Insert, CompletableFuture<Void>> sender;
    private final Map<TopicPartition, Partition> partitions = new ConcurrentHashMap<>();

    Replays(String sink, InsertLog log, ExecutorService loader, ScheduledExecutorService timer, Duration wait,
            Function<Insert, CompletableFuture<Void>> sender) {
        this.sink = sink;
        this.log = log;
        this.loader = loader;
        this.timer = timer;
        this.wait = wait;
        this.sender = sender;
    }

    /** Starts loading what the log holds for {@code tp} from {@code first} on; replaces any earlier state. */
    void assigned(TopicPartition tp, long first) {
        Partition fresh = new Partition(tp, first);
        Partition old = partitions.put(tp, fresh);
        if (old != null) {
            old.flushAll();
        }
        fresh.load();
    }

    /** Drops the state of {@code tps}, sending what they hold as far as it was gathered. */
    void revoked(Collection<TopicPartition> tps) {
        for (TopicPartition tp : tps) {
            Partition p = partitions.remove(tp);
            if (p != null) {
                p.flushAll();
            }
        }
    }

    /** Sends everything held (at close). */
    void flushAll() {
        for (Partition p : partitions.values()) {
            p.flushAll();
        }
    }

    /** Completes when every partition of {@code sources} that has state is loaded (successfully or not). */
    CompletableFuture<Void> ready(Collection<TopicPartition> sources) {
        List<CompletableFuture<?>> loads = null;
        for (TopicPartition tp : sources) {
            Partition p = partitions.get(tp);
            if (p != null && !p.loaded.isDone()) {
                if (loads == null) {
                    loads = new ArrayList<>();
                }
                loads.add(p.loaded.handle((v, e) -> null));
            }
        }
        return loads == null ? CompletableFuture.completedFuture(null)
                : CompletableFuture.allOf(loads.toArray(new CompletableFuture<?>[0]));
    }

    /** How a record fares against the log. */
    enum Verdict {
        /** Not in the log (or nothing known for its partition): insert it as usual. */
        LIVE,
        /** Its insert is logged done: skip it, it is in the table. */
        DONE,
        /** Held for its logged insert: its result is set to a deferred one, completed when that insert is sent. */
        HELD,
        /** The log could not be read for its partition: retry it (the read is retried too). */
        UNKNOWN
    }

    /**
     * Matches {@code source} (routed to {@code table}) against the log; when HELD, {@code row}
     * supplies its encoded row and {@code out[index]} becomes a {@link SinkResult#deferred} result
     * that completes when its insert was sent. The batch need not wait for it: an insert to repeat
     * may need records of batches that can only be written once this one is done.
     */
    Verdict match(String table, String quoted, ConsumerRecord<byte[], byte[]> source, RowSupplier row,
                  SinkResult[] out, int index) throws Exception {
        Partition p = partitions.get(new TopicPartition(source.topic(), source.partition()));
        if (p == null) {
            return Verdict.LIVE;
        }
        return p.match(table, quoted, source, row, out, index);
    }

    /** The encoded row of a record, made only when the record is held. */
    @FunctionalInterface
    interface RowSupplier {
        byte[] get() throws Exception;
    }

    /** One logged insert not known done, with the records gathered for it so far. */
    private final class Gather {
        final String table;
        final long[] offsets; // the offsets that still belong to it, ascending
        final TreeMap<Long, Held> held = new TreeMap<>();
        String quoted;
        boolean flushed;

        Gather(String table, long[] offsets) {
            this.table = table;
            this.offsets = offsets;
        }

        boolean contains(long offset) {
            return Arrays.binarySearch(offsets, offset) >= 0;
        }
    }

    private static final class Held {
        final byte[] row;
        final SinkResult[] slot = new SinkResult[1];
        final CompletableFuture<SinkResult> result = new CompletableFuture<>();
        final ConsumerRecord<byte[], byte[]> source;

        Held(byte[] row, ConsumerRecord<byte[], byte[]> source) {
            this.row = row;
            this.source = source;
        }
    }

    /** One assigned partition: its load, then its done offsets and gathers per table. */
    private final class Partition {
        final TopicPartition tp;
        final long first;
        volatile CompletableFuture<Void> loaded;
        Throwable loadFailure;
        final Map<String, long[]> done = new HashMap<>();
        final Map<String, List<Gather>> gathers = new HashMap<>();

        Partition(TopicPartition tp, long first) {
            this.tp = tp;
            this.first = first;
        }

        void load() {
            CompletableFuture<Void> f;
            try {
                f = CompletableFuture.runAsync(this::read, loader);
            } catch (RejectedExecutionException e) {
                f = CompletableFuture.failedFuture(e);
            }
            loaded = f.whenComplete((v, e) -> {
                if (e != null) {
                    synchronized (this) {
                        loadFailure = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
                    }
                    LOG.warn("sink {}: cannot read insert log {} for {}: {} (its records are retried)", sink, log.table(), tp,
                            loadFailure.toString());
                }
            });
        }

        private void read() {
            List<InsertLog.Entry> entries;
            try {
                entries = log.load(tp, first);
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
            // per offset: a done insert wins, else the newest logged one (a retry re-batches its records)
            entries.sort(Comparator.comparing((InsertLog.Entry e) -> e.done).thenComparingLong(e -> e.written));
            Map<String, TreeMap<Long, InsertLog.Entry>> owner = new HashMap<>();
            for (InsertLog.Entry e : entries) {
                TreeMap<Long, InsertLog.Entry> byOffset = owner.computeIfAbsent(e.target, t -> new TreeMap<>());
                for (long o : e.offsets) {
                    if (o >= first) {
                        byOffset.put(o, e);
                    }
                }
            }
            int held = 0;
            int skipped = 0;
            int exact = 0;
            synchronized (this) {
                for (Map.Entry<String, TreeMap<Long, InsertLog.Entry>> t : owner.entrySet()) {
                    List<Long> doneOffsets = new ArrayList<>();
                    Map<InsertLog.Entry, List<Long>> pending = new HashMap<>();
                    for (Map.Entry<Long, InsertLog.Entry> o : t.getValue().entrySet()) {
                        if (o.getValue().done) {
                            doneOffsets.add(o.getKey());
                        } else {
                            pending.computeIfAbsent(o.getValue(), k -> new ArrayList<>()).add(o.getKey());
                        }
                    }
                    done.put(t.getKey(), doneOffsets.stream().mapToLong(Long::longValue).toArray());
                    skipped += doneOffsets.size();
                    List<Gather> gs = new ArrayList<>();
                    for (Map.Entry<InsertLog.Entry, List<Long>> g : pending.entrySet()) {
                        List<Long> offs = g.getValue();
                        gs.add(new Gather(t.getKey(), offs.stream().mapToLong(Long::longValue).sorted().toArray()));
                        held += offs.size();
                        if (offs.size() == g.getKey().offsets.length) {
                            exact++; // all of its records can come again: the same rows, the same token
                        }
                    }
                    gathers.put(t.getKey(), gs);
                }
            }
            if (skipped + held > 0) {
                LOG.info("sink {}: {} from offset {}: {} records already inserted (skipped when they come again), {} in {}"
                        + " unconfirmed inserts ({} repeatable under their tokens)", sink, tp, first, skipped, held,
                        gathers.values().stream().mapToInt(List::size).sum(), exact);
            }
        }

        synchronized Verdict match(String table, String quoted, ConsumerRecord<byte[], byte[]> source, RowSupplier row,
                                   SinkResult[] out, int index) throws Exception {
            if (!loaded.isDone()) {
                return Verdict.UNKNOWN; // not expected: the sink waits for the load before matching
            }
            if (loadFailure != null) {
                loadFailure = null;
                load(); // read again for the retry
                return Verdict.UNKNOWN;
            }
            long offset = source.offset();
            long[] d = done.get(table);
            if (d != null && Arrays.binarySearch(d, offset) >= 0) {
                return Verdict.DONE;
            }
            List<Gather> gs = gathers.get(table);
            if (gs == null) {
                return Verdict.LIVE;
            }
            for (Gather g : gs) {
                if (!g.flushed && g.contains(offset)) {
                    if (g.held.containsKey(offset)) {
                        return Verdict.LIVE; // a second delivery while held (not expected): insert it as usual
                    }
                    g.quoted = quoted;
                    if (g.held.isEmpty()) {
                        timer.schedule(() -> flush(g), wait.toMillis(), TimeUnit.MILLISECONDS);
                    }
                    Held h = new Held(row.get(), source);
                    g.held.put(offset, h);
                    out[index] = SinkResult.deferred(h.result);
                    if (g.held.size() == g.offsets.length) {
                        send(g);
                    }
                    return Verdict.HELD;
                }
            }
            return Verdict.LIVE;
        }

        void flushAll() {
            List<Gather> all = new ArrayList<>();
            synchronized (this) {
                gathers.values().forEach(all::addAll);
            }
            all.forEach(this::flush);
        }

        private void flush(Gather g) {
            synchronized (this) {
                if (g.flushed || g.held.isEmpty()) {
                    return;
                }
                LOG.warn("sink {}: {} of {} records of an unconfirmed insert into {} from {} came again; inserting them"
                        + " under a new token (the rows may be in the table twice)", sink, g.held.size(), g.offsets.length,
                        g.table, tp);
                send(g);
            }
        }

        /** Under the partition's lock: sends what {@code g} holds, in offset order, and forgets it. */
        private void send(Gather g) {
            g.flushed = true;
            gathers.get(g.table).remove(g);
            Insert insert = new Insert(g.table, g.quoted);
            for (Held h : g.held.values()) {
                insert.buffer.beginRow();
                insert.buffer.raw(h.row);
                insert.buffer.endRow();
                insert.add(h.slot, 0, h.source);
            }
            sender.apply(insert).whenComplete((v, e) -> {
                for (Held h : g.held.values()) {
                    if (e != null) {
                        h.result.completeExceptionally(e);
                    } else if (h.slot[0] == null) {
                        h.result.completeExceptionally(new IllegalStateException("no result for a repeated row"));
                    } else {
                        h.result.complete(h.slot[0]);
                    }
                }
            });
        }
    }
}
