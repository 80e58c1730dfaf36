package io.syncer.internal.share;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The records of one share-consumer poll (and, with lock renewal, the records later polls add), until each has its
 * acknowledgement. Workers settle records from any thread ({@link #settle}); the consumer's owner takes the outcomes
 * and acknowledges them on its thread. A record settles once: the first of its outcome and its release at the lock
 * deadline wins. Records have identity equality, so each is tracked as the object the poll returned.
 */
final class ShareBatch {
    /** One record's acknowledgement, for the owner thread. */
    record Outcome(ConsumerRecord<byte[], byte[]> record, AcknowledgeType type) {
    }

    private final Set<ConsumerRecord<byte[], byte[]>> pending = ConcurrentHashMap.newKeySet();
    private final Set<ConsumerRecord<byte[], byte[]>> released = ConcurrentHashMap.newKeySet();
    private final LinkedBlockingQueue<Outcome> outcomes;
    /** System.nanoTime() after which an unfinished record is released (the lock minus the margin); unused when renewing. */
    final long deadlineNanos;
    final int deliveryCountLimit;
    /** Whether the owner renews the locks of records in work: no retry is then bounded by the lock. */
    final boolean renewing;
    /** Records to acknowledge before the owner polls again outside a renewal; grows when a renewal poll adds some. */
    private int size;

    ShareBatch(List<ConsumerRecord<byte[], byte[]>> records, long deadlineNanos, int deliveryCountLimit, boolean renewing,
               LinkedBlockingQueue<Outcome> outcomes) {
        pending.addAll(records);
        this.size = records.size();
        this.deadlineNanos = deadlineNanos;
        this.deliveryCountLimit = deliveryCountLimit;
        this.renewing = renewing;
        this.outcomes = outcomes;
    }

    /** Settles {@code record} with {@code type}; {@code false} if it was settled before (released at the deadline). */
    synchronized boolean settle(ConsumerRecord<byte[], byte[]> record, AcknowledgeType type) {
        if (!pending.remove(record)) {
            return false;
        }
        if (type == AcknowledgeType.RELEASE) {
            released.add(record);
        }
        outcomes.add(new Outcome(record, type));
        return true;
    }

    /**
     * The records still in work. Atomic with {@link #settle}: a record not in the answer has its outcome queued
     * already.
     */
    synchronized List<ConsumerRecord<byte[], byte[]>> inWork() {
        return new ArrayList<>(pending);
    }

    /** Adds records a renewal poll acquired; owner thread only. */
    synchronized void add(List<ConsumerRecord<byte[], byte[]>> records) {
        pending.addAll(records);
        size += records.size();
    }

    /** @return records to acknowledge in all; owner thread only */
    synchronized int size() {
        return size;
    }

    /** Whether the record was released: a worker must not run it any more (another member may have it). */
    boolean isReleased(ConsumerRecord<byte[], byte[]> record) {
        return released.contains(record);
    }

    boolean isDone() {
        return pending.isEmpty();
    }

    int pendingCount() {
        return pending.size();
    }

    /**
     * Releases the records still pending; returns how many.
     *
     * @param keepLastDeliveries at the lock deadline, keep records on their last delivery: released, the broker
     *     would archive them at once, while kept they may still finish and be accepted before the lock expires
     */
    int releaseAll(boolean keepLastDeliveries) {
        int n = 0;
        for (ConsumerRecord<byte[], byte[]> r : inWork()) {
            if ((!keepLastDeliveries || canRedeliver(r)) && settle(r, AcknowledgeType.RELEASE)) {
                n++;
            }
        }
        return n;
    }

    /** Whether a backoff of {@code backoffNanos} from now still ends before the deadline (always, when renewing). */
    boolean roomFor(long backoffNanos) {
        return renewing || System.nanoTime() + backoffNanos - deadlineNanos < 0;
    }

    /** Whether the broker may deliver the record again: not on its last delivery. */
    boolean canRedeliver(ConsumerRecord<byte[], byte[]> record) {
        return record.deliveryCount().map(c -> c < deliveryCountLimit).orElse(true);
    }
}
