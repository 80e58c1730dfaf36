package io.syncer.internal.queue;

import io.syncer.consume.PartitionClaim;
import io.syncer.queue.OrderingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * A queue worker's queued records by ordering key, and the order in which keys get a worker.
 *
 * <p>Records are grouped into <i>shards</i> by ordering key ((partition, record key) in KEY order, the partition in
 * PARTITION order, one shard per record in UNORDERED order). A shard runs at most one record (or one run) at a time,
 * in arrival order. Invariant: a shard has a live entry in {@code ready} or {@code continuing} iff it is not busy and
 * has records. {@link #takeNext} takes the head of the ready shard whose head arrived first (oldest record first),
 * where a key with a long backlog counts its head earlier ({@link #backlogBonus}). Shards that became ready with a new
 * record are in arrival order already ({@code ready}, a FIFO); shards put back after a record (a key with a backlog)
 * go into {@code continuing}, a heap by their head's arrival less their bonus, so a hot key's next record runs as soon
 * as a slot frees instead of behind every shard that became ready meanwhile, and a key that reaches the bonus while it
 * waits moves there too, so the key a run's end waits for starts early: a skewed key set then finishes at its hottest
 * key's serial work. Every operation is O(1) except the heap (O(log n), n at most the in-flight count plus the keys
 * with a bonus) and {@link #purge}, which is O(queued) and happens only on rebalance.
 *
 * <p>Not thread-safe: the queue worker's lock guards it, and the in-flight accounting is the queue worker's.
 */
final class ShardQueue {
    private final OrderingMode ordering;
    /**
     * Shards made ready by a new record: in arrival order of their heads. An entry whose shard reached the backlog
     * bonus while it waited (and moved into {@code continuing}) is stale and skipped.
     */
    private final ShardFifo ready = new ShardFifo();
    /**
     * Shards put back with more records (or a retry), and shards that reached the backlog bonus while they waited: a
     * heap by their {@link #key}.
     */
    private final ShardHeap continuing = new ShardHeap();
    /** Arrivals a key's head counts as earlier per record queued behind it; 0: oldest head first, no bonus. */
    private long bonusPerRecord;
    /** The most arrivals a backlog moves a key's head earlier. */
    private long bonusCap;
    /** The fewest queued records (head included) that earn a key a bonus; below, a key is taken oldest head first. */
    private int bonusFrom = Integer.MAX_VALUE;
    /**
     * Idle empty shards kept in {@link #shards} at least, whatever the live ones: about 2.5 MB with short keys. With
     * 1,024 the sweep itself was a sixth of P1's worker samples (10,000 keys outnumbered it and were swept and made
     * again).
     */
    static final int MIN_IDLE_KEPT = 16_384;

    /**
     * The shards of KEY and PARTITION order by key: busy ones, ones holding records, and idle empty ones kept for
     * their key's next record (a key's records rarely arrive back to back, so forgetting a shard when its last record
     * finished cost a map removal and insertion and a new shard for nearly every record: a ninth of P1's worker
     * samples). Idle empty shards are swept out once they are twice the others and more than {@link #MIN_IDLE_KEPT}.
     */
    private final ShardTable shards = new ShardTable();
    /** Shards in {@link #shards} that are idle and empty. */
    private int idle;
    /**
     * The queued records that earn a key its backlog bonus in a queue worker: a key with 16 waiting is the kind a
     * run's end waits for, and keys with a few records (most, with many keys) stay on the FIFO's O(1) path.
     */
    static final int BONUS_FROM = 16;
    /** Arrival sequence of the next queued record. */
    private long nextSeq;
    private long queued;

    ShardQueue(OrderingMode ordering) {
        this.ordering = ordering;
    }

    /** Queues a record behind the records of its key; its shard becomes ready if it was idle and empty. */
    void add(ConsumerRecord<byte[], byte[]> record, PartitionClaim claim, TopicPartition tp, AtomicInteger revokes) {
        QueuedRecord item = new QueuedRecord(record, claim, tp, revokes, nextSeq++);
        Shard shard;
        if (ordering == OrderingMode.UNORDERED) {
            shard = new Shard();
        } else {
            byte[] key = ordering == OrderingMode.PARTITION ? null : record.key();
            int before = shards.size();
            shard = shards.getOrCreate(tp, key, ShardTable.hash(tp, key));
            if (shards.size() == before && !shard.busy && shard.isEmpty()) {
                idle--;
            }
        }
        shard.addLast(item);
        if (!shard.busy) {
            if (shard.inHeap) {
                if (shard.size() >= bonusFrom) {
                    continuing.update(shard, key(shard)); // a longer backlog: it moves up
                }
            } else if (shard.size() == 1) {
                ready.add(shard);
            } else if (shard.size() >= bonusFrom) {
                continuing.add(shard, key(shard)); // a backlog while it waited: its ready entry goes stale
                ready.staleOne();
            }
        }
        queued++;
    }

    /** Records queued and not taken. */
    long queued() {
        return queued;
    }

    /** Whether no shard is ready. */
    boolean noneReady() {
        return ready.peek() == null && continuing.isEmpty();
    }

    /**
     * Lets keys with a backlog go ahead: a key with at least {@code from} records queued counts its head as
     * {@code perRecord} arrivals earlier for each record queued behind it, at most {@code cap} arrivals earlier. Keys
     * with fewer are taken oldest head first, as they arrived, and stay on the FIFO's O(1) path. A key with a backlog is the critical path of what is
     * queued, and it runs one record at a time: in oldest-first order alone it starts behind everything that arrived
     * before it and finishes last (P8: the hottest key of 64 partitions waited 0.2 s for its first turn behind the
     * 8,000 records of the partitions polled before its own, 7 % of the run). With {@code perRecord} the number of
     * records that run at once, a backlog of b records counts as the b x perRecord arrivals that run meanwhile. No
     * record waits more than {@code cap} arrivals longer than oldest-first would make it wait. Unset: oldest first.
     */
    void backlogBonus(long perRecord, long cap, int from) {
        if (perRecord <= 0 || cap <= 0 || from < 2) {
            throw new IllegalArgumentException("a backlog bonus needs perRecord, cap > 0 and from >= 2");
        }
        this.bonusPerRecord = perRecord;
        this.bonusCap = cap;
        this.bonusFrom = from;
    }

    /** A shard's place in {@code continuing}: its head's arrival, earlier by its backlog's bonus. */
    private long key(Shard shard) {
        int size = shard.size();
        return size < bonusFrom ? shard.headSeq() : shard.headSeq() - Math.min(bonusCap, (size - 1L) * bonusPerRecord);
    }

    /**
     * Takes the head of the ready shard that goes first and marks that shard busy; some shard is ready: the one whose
     * head arrived first, a key with a backlog counting its head earlier by its {@link #backlogBonus}.
     */
    QueuedRecord takeNext() {
        Shard fresh = ready.peek();
        Shard shard = continuing.isEmpty() || (fresh != null && fresh.headSeq() < continuing.minKey()) ? ready.poll()
                : continuing.poll();
        QueuedRecord item = shard.pollFirst();
        shard.busy = true;
        item.shard = shard;
        queued--;
        return item;
    }

    /**
     * The run that starts with {@code first} (just taken, its shard busy): the records queued behind it in its shard
     * that belong to the same assignment, up to {@code limit} records with {@code first}; {@code null} when none
     * follows it.
     */
    List<QueuedRecord> takeRun(QueuedRecord first, int limit) {
        Shard shard = first.shard;
        if (limit <= 1 || shard.isEmpty() || shard.peekFirst().epoch != first.epoch) {
            return null;
        }
        List<QueuedRecord> run = new ArrayList<>(Math.min(limit, shard.size() + 1));
        run.add(first);
        while (run.size() < limit && !shard.isEmpty() && shard.peekFirst().epoch == first.epoch) {
            QueuedRecord next = shard.pollFirst();
            next.shard = shard;
            queued--;
            run.add(next);
        }
        return run;
    }

    /** Puts a taken record back at the front of its shard, which stays busy (a run's records behind a failed one). */
    void putBackFirst(QueuedRecord item) {
        item.shard.addFirst(item);
        queued++;
    }

    /** Puts a taken record back at the front of its shard and the shard among the ready ones (its retry is due). */
    void retry(QueuedRecord item) {
        item.shard.addFirst(item);
        item.shard.busy = false;
        continuing.add(item.shard, key(item.shard));
        queued++;
    }

    /** Marks a shard idle: ready again if it has records, else kept empty for its key's next record. */
    void release(Shard shard) {
        shard.busy = false;
        if (!shard.isEmpty()) {
            continuing.add(shard, key(shard));
        } else if (shard.keyed() && ++idle > Math.max(MIN_IDLE_KEPT, 2 * (shards.size() - idle))) {
            removeIdle(); // at least two thirds of the map go: O(1) amortised per release
        }
    }

    /** Shards kept by key, for tests: busy, holding records, or idle and empty. */
    int keys() {
        return shards.size();
    }

    private void removeIdle() {
        shards.removeIf(s -> !s.busy && s.isEmpty());
        idle = 0;
    }

    /** Drops the queued records of {@code revoked}; returns how many. */
    int purge(Set<TopicPartition> revoked) {
        int[] count = {0};
        java.util.function.Consumer<Shard> unkeyed = shard -> {
            if (!shard.keyed()) {
                count[0] += removeRevoked(shard, revoked);
            }
        };
        ready.forEach(unkeyed);
        continuing.forEach(unkeyed);
        shards.forEach(shard -> count[0] += removeRevoked(shard, revoked));
        int dropped = count[0];
        ready.removeStale();
        continuing.removeEmpty(); // a shard is of one partition: it empties whole, no key changes
        removeIdle();
        queued -= dropped;
        return dropped;
    }

    /** Forgets every queued record and shard (the queue worker closes). */
    void clear() {
        ready.clear();
        continuing.clear();
        shards.clear();
        idle = 0;
        queued = 0;
    }

    /**
     * A binary min-heap of shards by a key (their head's arrival, earlier by a backlog's bonus), the keys kept beside
     * the shards in a {@code long[]}: a sift compares longs in one array and touches no shard (in P1, with 10,000
     * keys, a comparator that followed each shard to its head record was a seventh of the workers' samples). A key
     * that a new record lowers is pushed again, and the old entry, whose key no longer matches its shard's, is stale:
     * skipped at the top and counted, so that while there are none nothing is checked.
     */
    private static final class ShardHeap {
        private Shard[] shards = new Shard[16];
        private long[] keys = new long[16];
        private int size;
        private int stale;

        boolean isEmpty() {
            clean();
            return size == 0;
        }

        /** The smallest key; not empty. */
        long minKey() {
            clean();
            return keys[0];
        }

        void add(Shard shard, long key) {
            shard.inHeap = true;
            shard.heapKey = key;
            push(shard, key);
        }

        /** Lowers the key of a shard in the heap (a key only falls while its shard waits: its backlog grows). */
        void update(Shard shard, long key) {
            if (key < shard.heapKey) {
                shard.heapKey = key;
                push(shard, key);
                stale++;
            }
        }

        /** Takes the shard with the smallest key; not empty. */
        Shard poll() {
            clean();
            Shard top = shards[0];
            removeTop();
            top.inHeap = false;
            return top;
        }

        void forEach(java.util.function.Consumer<Shard> action) {
            for (int i = 0; i < size; i++) {
                if (live(i)) {
                    action.accept(shards[i]);
                }
            }
        }

        /** Drops the stale entries and the shards that are empty now, and restores the heap order. */
        void removeEmpty() {
            int kept = 0;
            for (int i = 0; i < size; i++) {
                if (!live(i)) {
                    continue;
                }
                if (shards[i].isEmpty()) {
                    shards[i].inHeap = false;
                    continue;
                }
                shards[kept] = shards[i];
                keys[kept] = keys[i];
                kept++;
            }
            java.util.Arrays.fill(shards, kept, size, null);
            size = kept;
            stale = 0;
            for (int i = (size >>> 1) - 1; i >= 0; i--) {
                siftDown(i, shards[i], keys[i]);
            }
        }

        void clear() {
            for (int i = 0; i < size; i++) {
                shards[i].inHeap = false;
            }
            java.util.Arrays.fill(shards, 0, size, null);
            size = 0;
            stale = 0;
        }

        private boolean live(int i) {
            return shards[i].inHeap && shards[i].heapKey == keys[i];
        }

        /** Drops stale entries from the top. */
        private void clean() {
            while (stale > 0 && size > 0 && !live(0)) {
                removeTop();
                stale--;
            }
            if (size == 0) {
                stale = 0;
            }
        }

        private void push(Shard shard, long key) {
            if (size == shards.length) {
                shards = java.util.Arrays.copyOf(shards, size * 2);
                keys = java.util.Arrays.copyOf(keys, size * 2);
            }
            siftUp(size++, shard, key);
        }

        private void removeTop() {
            int last = --size;
            Shard moved = shards[last];
            long movedKey = keys[last];
            shards[last] = null;
            if (last > 0) {
                siftDown(0, moved, movedKey);
            }
        }

        private void siftUp(int k, Shard shard, long key) {
            while (k > 0) {
                int parent = (k - 1) >>> 1;
                if (keys[parent] <= key) {
                    break;
                }
                shards[k] = shards[parent];
                keys[k] = keys[parent];
                k = parent;
            }
            shards[k] = shard;
            keys[k] = key;
        }

        private void siftDown(int k, Shard shard, long key) {
            int half = size >>> 1;
            while (k < half) {
                int child = 2 * k + 1;
                int right = child + 1;
                if (right < size && keys[right] < keys[child]) {
                    child = right;
                }
                if (key <= keys[child]) {
                    break;
                }
                shards[k] = shards[child];
                keys[k] = keys[child];
                k = child;
            }
            shards[k] = shard;
            keys[k] = key;
        }
    }

    /**
     * The ready FIFO: shards with the arrival sequence of their head when they became ready, in a ring of two arrays.
     * An entry goes stale when its shard reaches the backlog bonus while it waits (it moves into the heap); stale
     * entries are counted, and only while there are some are entries checked (live: the shard idle, outside the
     * heap, with that head) and skipped at the front. A shard has at most one live entry.
     */
    private static final class ShardFifo {
        private Shard[] shards = new Shard[16];
        private long[] seqs = new long[16];
        private int head;
        private int size;
        private int stale;

        void add(Shard shard) {
            if (size == shards.length) {
                resize(shards.length * 2);
            }
            int at = (head + size) & (shards.length - 1);
            shards[at] = shard;
            seqs[at] = shard.headSeq();
            size++;
        }

        /** Counts an entry that went stale (its shard moved into the heap). */
        void staleOne() {
            stale++;
        }

        /** The first live entry's shard, dropping stale ones before it; {@code null} if none. */
        Shard peek() {
            while (stale > 0 && size > 0 && !live(shards[head], seqs[head])) {
                drop();
                stale--;
            }
            if (size == 0) {
                stale = 0;
                return null;
            }
            return shards[head];
        }

        /** Takes the first live entry's shard; there is one. */
        Shard poll() {
            Shard first = peek();
            drop();
            return first;
        }

        void forEach(java.util.function.Consumer<Shard> action) {
            for (int i = 0; i < size; i++) {
                int at = (head + i) & (shards.length - 1);
                if (live(shards[at], seqs[at])) {
                    action.accept(shards[at]);
                }
            }
        }

        /** Drops every entry that is not live (stale ones, and those a purge emptied). */
        void removeStale() {
            int kept = 0;
            int mask = shards.length - 1;
            for (int i = 0; i < size; i++) {
                int at = (head + i) & mask;
                if (live(shards[at], seqs[at])) {
                    int to = (head + kept) & mask;
                    shards[to] = shards[at];
                    seqs[to] = seqs[at];
                    kept++;
                }
            }
            for (int i = kept; i < size; i++) {
                shards[(head + i) & mask] = null;
            }
            size = kept;
            stale = 0;
        }

        void clear() {
            java.util.Arrays.fill(shards, null);
            head = 0;
            size = 0;
            stale = 0;
        }

        private static boolean live(Shard shard, long seq) {
            return !shard.busy && !shard.inHeap && !shard.isEmpty() && shard.headSeq() == seq;
        }

        private void drop() {
            shards[head] = null;
            head = (head + 1) & (shards.length - 1);
            size--;
        }

        private void resize(int capacity) {
            Shard[] newShards = new Shard[capacity];
            long[] newSeqs = new long[capacity];
            for (int i = 0; i < size; i++) {
                int at = (head + i) & (shards.length - 1);
                newShards[i] = shards[at];
                newSeqs[i] = seqs[at];
            }
            shards = newShards;
            seqs = newSeqs;
            head = 0;
        }
    }

    private static int removeRevoked(Shard shard, Set<TopicPartition> revoked) {
        int before = shard.size();
        shard.removeIf(i -> revoked.contains(i.tp));
        return before - shard.size();
    }
}
