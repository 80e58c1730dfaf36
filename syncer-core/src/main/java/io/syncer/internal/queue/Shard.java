package io.syncer.internal.queue;

import java.util.Arrays;
import org.apache.kafka.common.TopicPartition;

/**
 * The queued records of one ordering key, in order, as a list linked through {@link QueuedRecord#next} (no array
 * behind the head: in P1 a kept shard's old deque array was a cache miss on every second record queued). A shard of
 * KEY or PARTITION order carries its key, the partition and (KEY order) the record key's bytes, the first record's
 * own array, never modified and compared by content ({@code null} is a key too). Invariant: {@code first} is
 * {@code null} iff the shard is empty. Guarded by the queue's lock.
 */
final class Shard {
    /** The partition of a keyed shard; {@code null} for an UNORDERED record's own shard. */
    final TopicPartition tp;
    /** The record key's bytes in KEY order; {@code null} in PARTITION order or for a null record key. */
    final byte[] key;
    /** The key's hash in the shard table (never 0); 0 for an UNORDERED shard. */
    final int hash;
    private QueuedRecord first;
    private QueuedRecord last;
    private int size;
    boolean busy;
    /** Whether it waits in the queue's heap, and under which key (an entry with another key is stale); the heap's. */
    boolean inHeap;
    long heapKey;

    /** An UNORDERED record's own shard. */
    Shard() {
        this(null, null, 0);
    }

    Shard(TopicPartition tp, byte[] key, int hash) {
        this.tp = tp;
        this.key = key;
        this.hash = hash;
    }

    /** Whether this is a keyed shard (kept in the shard table) rather than one record's. */
    boolean keyed() {
        return tp != null;
    }

    /** Whether this shard is the one of {@code key} in {@code tp}. */
    boolean matches(TopicPartition tp, byte[] key) {
        return (this.tp == tp || this.tp.equals(tp)) && Arrays.equals(this.key, key);
    }

    void addLast(QueuedRecord item) {
        item.next = null;
        if (first == null) {
            first = item;
        } else {
            last.next = item;
        }
        last = item;
        size++;
    }

    void addFirst(QueuedRecord item) {
        item.next = first;
        if (first == null) {
            last = item;
        }
        first = item;
        size++;
    }

    QueuedRecord peekFirst() {
        return first;
    }

    QueuedRecord pollFirst() {
        QueuedRecord head = first;
        if (head != null) {
            first = head.next;
            head.next = null;
            if (first == null) {
                last = null;
            }
            size--;
        }
        return head;
    }

    boolean isEmpty() {
        return first == null;
    }

    /** The head item's arrival sequence; the shard is not empty. */
    long headSeq() {
        return first.seq;
    }

    int size() {
        return size;
    }

    void removeIf(java.util.function.Predicate<QueuedRecord> filter) {
        QueuedRecord i = first;
        first = null;
        last = null;
        size = 0;
        while (i != null) {
            QueuedRecord next = i.next;
            if (!filter.test(i)) {
                addLast(i);
            } else {
                i.next = null;
            }
            i = next;
        }
    }
}
