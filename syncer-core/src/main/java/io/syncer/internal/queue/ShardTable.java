package io.syncer.internal.queue;

import java.util.Arrays;
import java.util.function.Predicate;
import org.apache.kafka.common.TopicPartition;

/**
 * The keyed shards of a shard queue by (partition, record key bytes): an open-addressing table with linear probing
 * whose probe reads the keys' hashes from an {@code int[]} and follows a slot to its shard only on an equal hash.
 * It replaces a {@code HashMap} keyed by a (partition, key) object made for every record queued: in P1 the lookup
 * key's allocation and the map entry and key objects it followed were a sixth of the poll thread's samples. Removal
 * is only by {@link #removeIf}, a rebuild, so the table needs no tombstones. Not thread-safe (the queue's lock).
 */
final class ShardTable {
    private static final int MIN_CAPACITY = 64;

    /** The keys' hashes, 0 for a free slot (a shard's hash is never 0). */
    private int[] hashes = new int[MIN_CAPACITY];
    private Shard[] slots = new Shard[MIN_CAPACITY];
    private int size;

    /** The table hash of a key in a partition: never 0. */
    static int hash(TopicPartition tp, byte[] key) {
        int h = 31 * tp.hashCode() + Arrays.hashCode(key);
        h ^= h >>> 16;
        h *= 0x9E3779B1; // spreads keys that differ in their last bytes across the table's low bits
        return h == 0 ? 1 : h;
    }

    /** The shard of {@code key} in {@code tp} with the given {@link #hash}, made and kept if there is none. */
    Shard getOrCreate(TopicPartition tp, byte[] key, int hash) {
        int mask = hashes.length - 1;
        int i = hash & mask;
        for (int h; (h = hashes[i]) != 0; i = (i + 1) & mask) {
            if (h == hash) {
                Shard s = slots[i];
                if (s.matches(tp, key)) {
                    return s;
                }
            }
        }
        Shard created = new Shard(tp, key, hash);
        hashes[i] = hash;
        slots[i] = created;
        if (++size * 2 > hashes.length) {
            rebuild(hashes.length * 2, null);
        }
        return created;
    }

    int size() {
        return size;
    }

    /** Every shard, in table order. */
    void forEach(java.util.function.Consumer<Shard> action) {
        for (Shard s : slots) {
            if (s != null) {
                action.accept(s);
            }
        }
    }

    /** Drops the shards {@code filter} accepts, and shrinks the table to fit the rest. */
    void removeIf(Predicate<Shard> filter) {
        int kept = 0;
        for (Shard s : slots) {
            if (s != null && !filter.test(s)) {
                kept++;
            }
        }
        int capacity = MIN_CAPACITY;
        while (capacity < kept * 4) { // at most a quarter full after a sweep: room to grow before the next rebuild
            capacity *= 2;
        }
        rebuild(capacity, filter);
    }

    void clear() {
        hashes = new int[MIN_CAPACITY];
        slots = new Shard[MIN_CAPACITY];
        size = 0;
    }

    private void rebuild(int capacity, Predicate<Shard> drop) {
        Shard[] old = slots;
        hashes = new int[capacity];
        slots = new Shard[capacity];
        size = 0;
        int mask = capacity - 1;
        for (Shard s : old) {
            if (s == null || drop != null && drop.test(s)) {
                continue;
            }
            int i = s.hash & mask;
            while (hashes[i] != 0) {
                i = (i + 1) & mask;
            }
            hashes[i] = s.hash;
            slots[i] = s;
            size++;
        }
    }
}
