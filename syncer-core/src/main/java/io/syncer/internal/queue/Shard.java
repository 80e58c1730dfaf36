package io.syncer.internal.queue;

import java.util.ArrayDeque;

/**
 * The items of one ordering key, in order. Most shards hold one item at a time, so the head has
 * its own field and the deque behind it is made only for a second item. Invariant: {@code first}
 * is {@code null} only when the shard is empty. Guarded by the queue's lock.
 */
final class Shard {
    final Object key;
    private QueuedRecord first;
    private ArrayDeque<QueuedRecord> rest;
    boolean busy;

    Shard(Object key) {
        this.key = key;
    }

    void addLast(QueuedRecord item) {
        if (first == null) {
            first = item;
        } else {
            if (rest == null) {
                rest = new ArrayDeque<>(4);
            }
            rest.addLast(item);
        }
    }

    void addFirst(QueuedRecord item) {
        if (first != null) {
            if (rest == null) {
                rest = new ArrayDeque<>(4);
            }
            rest.addFirst(first);
        }
        first = item;
    }

    QueuedRecord peekFirst() {
        return first;
    }

    QueuedRecord pollFirst() {
        QueuedRecord head = first;
        first = rest == null ? null : rest.pollFirst();
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
        return (first == null ? 0 : 1) + (rest == null ? 0 : rest.size());
    }

    void removeIf(java.util.function.Predicate<QueuedRecord> filter) {
        ArrayDeque<QueuedRecord> kept = new ArrayDeque<>();
        for (QueuedRecord i = pollFirst(); i != null; i = pollFirst()) {
            if (!filter.test(i)) {
                kept.addLast(i);
            }
        }
        first = kept.pollFirst();
        rest = kept.isEmpty() ? null : kept;
    }
}
