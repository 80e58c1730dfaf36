package io.syncer.internal.commit;

import java.util.Optional;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Per-partition record of which handed-over records are complete, and the offset that may be
 * committed: the first incomplete record, or one past the last record when all are complete.
 *
 * <p>Records are registered in offset order (as the consumer returns them) into a growable ring;
 * each gets a sequence number so completion is an index, not a search. The head advances over
 * completed entries, so every record is touched a constant number of times: O(1) amortised.
 * {@link #completeOffset} (for handlers that only have the record) first tries the slot the offset
 * would occupy if offsets were dense, which they are unless the log is compacted or transactional,
 * then falls back to a binary search.
 *
 * <p>Threading: all methods are {@code synchronized}; registration and reads come from the poll
 * thread, completions from any thread. After {@link #close()} completions are ignored, so late
 * work on a revoked partition can never move a later owner's offsets or double-release budget.
 */
public final class OffsetTracker {
    private static final int INITIAL_CAPACITY = 64;

    private final TopicPartition partition;
    private final QueueBudget budget;
    private final boolean commitOnRegister;

    private long[] offsets = new long[INITIAL_CAPACITY];
    private int[] epochs = new int[INITIAL_CAPACITY];
    private int[] sizes = new int[INITIAL_CAPACITY];
    private boolean[] done = new boolean[INITIAL_CAPACITY];
    private int mask = INITIAL_CAPACITY - 1;
    private long headSeq;
    private long tailSeq;

    private long lastOffset = -1;
    private int lastEpoch = -1;
    private long outstandingRecords;
    private long outstandingBytes;
    private long completedRecords;
    private long haltOffset = Long.MAX_VALUE;
    private boolean closed;

    /**
     * @param partition the partition tracked
     * @param budget the shared bound, released as records complete
     * @param commitOnRegister at-most-once: the committable offset follows registration, not completion
     */
    public OffsetTracker(TopicPartition partition, QueueBudget budget, boolean commitOnRegister) {
        this.partition = partition;
        this.budget = budget;
        this.commitOnRegister = commitOnRegister;
    }

    public TopicPartition partition() {
        return partition;
    }

    /**
     * Registers the next record (offsets must increase). The caller has reserved {@code size} in the
     * budget; it is released when the record completes or the tracker closes.
     *
     * @param leaderEpoch the record's leader epoch, or -1 if unknown
     * @return the sequence number to pass to {@link #complete(long)}
     */
    public synchronized long register(long offset, int leaderEpoch, int size) {
        if (offset <= lastOffset) {
            throw new IllegalStateException(partition + ": offset " + offset + " registered after " + lastOffset);
        }
        if (tailSeq - headSeq == offsets.length) {
            grow();
        }
        int i = (int) (tailSeq & mask);
        offsets[i] = offset;
        epochs[i] = leaderEpoch;
        sizes[i] = size;
        done[i] = false;
        lastOffset = offset;
        lastEpoch = leaderEpoch;
        outstandingRecords++;
        outstandingBytes += size;
        long seq = tailSeq++;
        if (offset >= haltOffset) {
            drop(seq); // registered in the same poll as the halt: never processed here
        }
        return seq;
    }

    /**
     * Marks the record with sequence {@code seq} complete and releases its budget. Idempotent;
     * ignored after {@link #close()}.
     *
     * @return whether this call completed the record
     */
    public synchronized boolean complete(long seq) {
        if (closed || seq < headSeq || seq >= tailSeq) {
            return false;
        }
        int i = (int) (seq & mask);
        if (done[i] || offsets[i] >= haltOffset) {
            return false;
        }
        drop(seq);
        completedRecords++;
        return true;
    }

    /** Marks {@code seq} done and releases its budget; the caller checked it is pending. */
    private void drop(long seq) {
        int i = (int) (seq & mask);
        done[i] = true;
        outstandingRecords--;
        outstandingBytes -= sizes[i];
        budget.release(1, sizes[i]);
        long before = headSeq;
        while (headSeq < tailSeq && done[(int) (headSeq & mask)]) {
            headSeq++;
        }
        if (headSeq - before > 64) {
            maybeShrink(); // the head moved a long way: the ring may have grown behind a slow record
        }
    }

    /**
     * Stops the partition at {@code offset}: the committable offset never passes it, completions at
     * or past it are ignored and their budget is released now; records before it may still
     * complete. Only the lowest halt offset counts.
     */
    public synchronized void halt(long offset) {
        if (closed || offset >= haltOffset) {
            return;
        }
        haltOffset = offset;
        for (long seq = headSeq; seq < tailSeq; seq++) {
            int i = (int) (seq & mask);
            if (!done[i] && offsets[i] >= offset) {
                drop(seq);
            }
        }
    }

    /** Whether the record at {@code offset} is no longer to be processed: closed, or at or past the halt. */
    public synchronized boolean isStopped(long offset) {
        return closed || offset >= haltOffset;
    }

    /** Whether the partition was halted or the tracker closed. */
    public synchronized boolean isStopped() {
        return closed || haltOffset != Long.MAX_VALUE;
    }

    /**
     * Marks the record at {@code offset} complete; see {@link #complete(long)}.
     *
     * @return whether this call completed the record (false if unknown, already complete or closed)
     */
    public synchronized boolean completeOffset(long offset) {
        if (closed || headSeq == tailSeq) {
            return false;
        }
        long headOffset = offsets[(int) (headSeq & mask)];
        long guess = headSeq + (offset - headOffset);
        if (guess >= headSeq && guess < tailSeq && offsets[(int) (guess & mask)] == offset) {
            return complete(guess);
        }
        long lo = headSeq;
        long hi = tailSeq - 1;
        while (lo <= hi) {
            long mid = (lo + hi) >>> 1;
            long o = offsets[(int) (mid & mask)];
            if (o < offset) {
                lo = mid + 1;
            } else if (o > offset) {
                hi = mid - 1;
            } else {
                return complete(mid);
            }
        }
        return false;
    }

    /**
     * The offset that may be committed now, with the leader epoch of the record it points at.
     *
     * @return empty if no record was ever registered
     */
    public synchronized Optional<OffsetAndMetadata> committable() {
        if (lastOffset < 0) {
            return Optional.empty();
        }
        OffsetAndMetadata next;
        if (commitOnRegister || headSeq == tailSeq) {
            next = metadata(lastOffset + 1, lastEpoch);
        } else {
            int i = (int) (headSeq & mask);
            next = metadata(offsets[i], epochs[i]);
        }
        if (next.offset() > haltOffset) {
            next = new OffsetAndMetadata(haltOffset, Optional.empty(), "");
        }
        return Optional.of(next);
    }

    /** The last registered offset, or -1. */
    public synchronized long lastOffset() {
        return lastOffset;
    }

    /** Records registered and not yet complete. */
    public synchronized long outstandingRecords() {
        return outstandingRecords;
    }

    /** Bytes of records registered and not yet complete. */
    public synchronized long outstandingBytes() {
        return outstandingBytes;
    }

    /** Records completed since creation. */
    public synchronized long completedRecords() {
        return completedRecords;
    }

    /**
     * Stops tracking: releases the budget of every incomplete record and ignores later completions.
     */
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        budget.release(outstandingRecords, outstandingBytes);
        outstandingRecords = 0;
        outstandingBytes = 0;
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    private static OffsetAndMetadata metadata(long offset, int epoch) {
        return new OffsetAndMetadata(offset, epoch < 0 ? Optional.empty() : Optional.of(epoch), "");
    }

    /** Records from the oldest unfinished one to the newest registered: the ring slots in use. */
    public synchronized long span() {
        return tailSeq - headSeq;
    }

    /** Slots the ring has now (for tests and the heap bound). */
    public synchronized int capacity() {
        return offsets.length;
    }

    /** Gives memory back once the span fell to an eighth of a grown ring. */
    private void maybeShrink() {
        int n = offsets.length;
        long span = tailSeq - headSeq;
        if (n > INITIAL_CAPACITY && span <= n / 8) {
            resize(Math.max(INITIAL_CAPACITY, Integer.highestOneBit((int) Math.max(1, span)) << 2));
        }
    }

    private void grow() {
        resize(offsets.length * 2);
    }

    private void resize(int size) {
        long[] o = new long[size];
        int[] e = new int[size];
        int[] s = new int[size];
        boolean[] d = new boolean[size];
        int newMask = size - 1;
        for (long seq = headSeq; seq < tailSeq; seq++) {
            int from = (int) (seq & mask);
            int to = (int) (seq & newMask);
            o[to] = offsets[from];
            e[to] = epochs[from];
            s[to] = sizes[from];
            d[to] = done[from];
        }
        offsets = o;
        epochs = e;
        sizes = s;
        done = d;
        mask = newMask;
    }
}
