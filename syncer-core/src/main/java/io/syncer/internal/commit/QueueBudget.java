package io.syncer.internal.commit;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bound on records handed to the handler and not yet complete, by count and by bytes.
 *
 * <p>Threading: {@link #tryReserve} is called by the poll thread only (one reserver, so the
 * check-then-add cannot overshoot); {@link #release} by any thread.
 */
public final class QueueBudget {
    private final long maxRecords;
    private final long maxBytes;
    private final AtomicLong records = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();

    public QueueBudget(long maxRecords, long maxBytes) {
        this.maxRecords = maxRecords;
        this.maxBytes = maxBytes;
    }

    /**
     * Reserves room for one record of {@code size} bytes. A record larger than the whole byte bound
     * is admitted only into an empty queue, so it cannot block its partition forever.
     *
     * @return whether the record fits
     */
    public boolean tryReserve(long size) {
        long r = records.get();
        long b = bytes.get();
        if (r > 0 && (r + 1 > maxRecords || b + size > maxBytes)) {
            return false;
        }
        records.incrementAndGet();
        bytes.addAndGet(size);
        return true;
    }

    /** Returns room for {@code count} records of {@code size} bytes in total. */
    public void release(long count, long size) {
        records.addAndGet(-count);
        bytes.addAndGet(-size);
    }

    public long records() {
        return records.get();
    }

    public long bytes() {
        return bytes.get();
    }

    public long maxRecords() {
        return maxRecords;
    }

    public long maxBytes() {
        return maxBytes;
    }

    /** The fuller of the two dimensions, as a fraction of its bound. */
    public double usage() {
        return Math.max((double) records.get() / maxRecords, (double) bytes.get() / maxBytes);
    }

    /** {@code count} records of {@code size} bytes as a fraction of the bounds (the fuller dimension). */
    public double share(long count, long size) {
        return Math.max((double) count / maxRecords, (double) size / maxBytes);
    }
}
