package io.syncer.internal.queue;

import io.syncer.consume.PartitionClaim;
import io.syncer.trace.TraceSpan;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * One record in a queue worker: its claim, the epoch of its partition's assignment, its arrival order, its shard, its
 * attempts and its span. Guarded by the queue worker's lock, except what the worker running it reads.
 */
final class QueuedRecord {
    final ConsumerRecord<byte[], byte[]> record;
    final PartitionClaim claim;
    final TopicPartition tp;
    /** Its partition's count of revokes, read without a lock where a completion checks whether it was disowned. */
    final AtomicInteger revokes;
    /** How many revokes its partition had when it was queued; one more since disowns it. */
    final int epoch;
    /** Arrival order in this queue: the ready shard with the oldest head runs first. */
    final long seq;
    Shard shard;
    /** The record behind it in its shard. */
    QueuedRecord next;
    /** Its partition's count of running records while it runs (taken when a worker takes it), else {@code null}. */
    int[] running;
    int attempts;
    long firstAttemptNanos;
    /** Started before the first attempt, ended once with the outcome; NOOP when not traced. */
    TraceSpan span = TraceSpan.NOOP;

    QueuedRecord(ConsumerRecord<byte[], byte[]> record, PartitionClaim claim, TopicPartition tp, AtomicInteger revokes,
            long seq) {
        this.record = record;
        this.claim = claim;
        this.tp = tp;
        this.revokes = revokes;
        this.epoch = revokes.get();
        this.seq = seq;
    }
}
