package io.syncer.internal.share;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The records of one share-consumer poll, until each has its acknowledgement. Workers settle records from any
 * thread ({@link #settle}); the consumer's owner takes the outcomes ({@link #outcomes}) and acknowledges them on
 * its thread. A record settles once: the first of its outcome and its release at the lock deadline wins.
 * Records have identity equality, so each is tracked as the object the poll returned.
 */
final class ShareBatch {
    /** One record's acknowledgement, for the owner thread. */
    record Outcome(ConsumerRecord<byte[], byte[]> record, AcknowledgeType type) {
    }

    private final Set<ConsumerRecord<byte[], byte[]>> pending = ConcurrentHashMap.newKeySet();
    private final Set<ConsumerRecord<byte[], byte[]>> released = ConcurrentHashMap.newKeySet();
    private final LinkedBlockingQueue<Outcome> outcomes;
    /** System.nanoTime() after which an unfinished record is released (the lock minus the margin). */
    final long deadlineNanos;
    final int deliveryCountLimit;
    final long marginNanos;
    /** Records in the poll: the owner polls again only after acknowledging this many. */
    final int size;

    ShareBatch(List<ConsumerRecord<byte[], byte[]>> records, long deadlineNanos, long marginNanos, int deliveryCountLimit,
               LinkedBlockingQueue<Outcome> outcomes) {
        pending.addAll(records);
        this.size = records.size();
        this.deadlineNanos = deadlineNanos;
        this.marginNanos = marginNanos;
        this.deliveryCountLimit = deliveryCountLimit;
        this.outcomes = outcomes;
    }

    /** Settles {@code record} with {@code type}; {@code false} if it was settled before (released at the deadline). */
    boolean settle(ConsumerRecord<byte[], byte[]> record, AcknowledgeType type) {
        if (!pending.remove(record)) {
            return false;
        }
        if (type == AcknowledgeType.RELEASE) {
            released.add(record);
        }
        outcomes.add(new Outcome(record, type));
        return true;
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

    /** Releases every record still pending (the lock deadline, or an abandoning close); returns how many. */
    int releaseAll() {
        int n = 0;
        for (ConsumerRecord<byte[], byte[]> r : List.copyOf(pending)) {
            if (settle(r, AcknowledgeType.RELEASE)) {
                n++;
            }
        }
        return n;
    }

    /** Whether a backoff of {@code backoffNanos} from now still ends before the deadline. */
    boolean roomFor(long backoffNanos) {
        return System.nanoTime() + backoffNanos - deadlineNanos < 0;
    }

    /** Whether the broker may deliver the record again: not on its last delivery. */
    boolean canRedeliver(ConsumerRecord<byte[], byte[]> record) {
        return record.deliveryCount().map(c -> c < deliveryCountLimit).orElse(true);
    }
}
