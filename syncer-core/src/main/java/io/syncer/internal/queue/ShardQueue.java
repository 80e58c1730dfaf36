package io.syncer.internal.queue;

import io.syncer.consume.PartitionClaim;
import io.syncer.queue.OrderingMode;
import java.util.ArrayDeque;
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
 * in arrival order. Invariant: a shard is in {@code ready} or {@code continuing} iff it is not busy and has records.
 * {@link #takeNext} takes the head of the ready shard whose head arrived first (oldest record first). Shards that
 * became ready with a new record are in arrival order already ({@code ready}, a FIFO); shards put back after a record
 * (a key with a backlog) go into {@code continuing}, a heap by their head's arrival, so a hot key's next record runs as
 * soon as a slot frees instead of behind every shard that became ready meanwhile: a skewed key set then finishes at
 * its hottest key's serial work. Every operation is O(1) except the heap (O(log n), n at most the in-flight count)
 * and {@link #purge}, which is O(queued) and happens only on rebalance.
 *
 * <p>Not thread-safe: the queue worker's lock guards it, and the in-flight accounting is the queue worker's.
 */
final class ShardQueue {
    private final OrderingMode ordering;
    /** Shards made ready by a new record: in arrival order of their heads. */
    private final ArrayDeque<Shard> ready = new ArrayDeque<>();
    /** Shards put back with more records (or a retry): a heap by their head's arrival. */
    private final ShardHeap continuing = new ShardHeap();
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
        if (!shard.busy && shard.size() == 1) {
            ready.addLast(shard);
        }
        queued++;
    }

    /** Records queued and not taken. */
    long queued() {
        return queued;
    }

    /** Whether no shard is ready. */
    boolean noneReady() {
        return ready.isEmpty() && continuing.isEmpty();
    }

    /** Takes the head of the ready shard whose head arrived first and marks that shard busy; some shard is ready. */
    QueuedRecord takeNext() {
        Shard fresh = ready.peekFirst();
        Shard shard = continuing.isEmpty() || (fresh != null && fresh.headSeq() < continuing.minSeq()) ? ready.pollFirst()
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
        continuing.add(item.shard);
        queued++;
    }

    /** Marks a shard idle: ready again if it has records, else kept empty for its key's next record. */
    void release(Shard shard) {
        shard.busy = false;
        if (!shard.isEmpty()) {
            continuing.add(shard);
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
        ready.removeIf(Shard::isEmpty);
        continuing.removeEmpty(); // a shard is of one partition: it empties whole, no head changes
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
     * A binary min-heap of shards by their head's arrival sequence, the sequences kept beside the shards in a
     * {@code long[]}: a sift compares longs in one array instead of following each shard to its head record (in
     * P1, with 10,000 keys, the comparator's pointer chasing was a seventh of the workers' samples). A shard's
     * head does not change while it is here (it is idle and not empty; records join at its tail).
     */
    private static final class ShardHeap {
        private Shard[] shards = new Shard[16];
        private long[] seqs = new long[16];
        private int size;

        boolean isEmpty() {
            return size == 0;
        }

        /** The smallest head sequence; not empty. */
        long minSeq() {
            return seqs[0];
        }

        void add(Shard shard) {
            if (size == shards.length) {
                shards = java.util.Arrays.copyOf(shards, size * 2);
                seqs = java.util.Arrays.copyOf(seqs, size * 2);
            }
            siftUp(size++, shard, shard.headSeq());
        }

        /** Takes the shard with the smallest head sequence; not empty. */
        Shard poll() {
            Shard top = shards[0];
            int last = --size;
            Shard moved = shards[last];
            long movedSeq = seqs[last];
            shards[last] = null;
            if (last > 0) {
                siftDown(0, moved, movedSeq);
            }
            return top;
        }

        /** Drops the shards that are empty now and restores the heap order. */
        void removeEmpty() {
            int kept = 0;
            for (int i = 0; i < size; i++) {
                if (!shards[i].isEmpty()) {
                    shards[kept] = shards[i];
                    seqs[kept] = shards[i].headSeq();
                    kept++;
                }
            }
            java.util.Arrays.fill(shards, kept, size, null);
            size = kept;
            for (int i = (size >>> 1) - 1; i >= 0; i--) {
                siftDown(i, shards[i], seqs[i]);
            }
        }

        void forEach(java.util.function.Consumer<Shard> action) {
            for (int i = 0; i < size; i++) {
                action.accept(shards[i]);
            }
        }

        void clear() {
            java.util.Arrays.fill(shards, 0, size, null);
            size = 0;
        }

        private void siftUp(int k, Shard shard, long seq) {
            while (k > 0) {
                int parent = (k - 1) >>> 1;
                if (seqs[parent] <= seq) {
                    break;
                }
                shards[k] = shards[parent];
                seqs[k] = seqs[parent];
                k = parent;
            }
            shards[k] = shard;
            seqs[k] = seq;
        }

        private void siftDown(int k, Shard shard, long seq) {
            int half = size >>> 1;
            while (k < half) {
                int child = 2 * k + 1;
                int right = child + 1;
                if (right < size && seqs[right] < seqs[child]) {
                    child = right;
                }
                if (seq <= seqs[child]) {
                    break;
                }
                shards[k] = shards[child];
                seqs[k] = seqs[child];
                k = child;
            }
            shards[k] = shard;
            seqs[k] = seq;
        }
    }

    private static int removeRevoked(Shard shard, Set<TopicPartition> revoked) {
        int before = shard.size();
        shard.removeIf(i -> revoked.contains(i.tp));
        return before - shard.size();
    }
}
