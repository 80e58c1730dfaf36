package io.syncer.internal.consume;

import io.syncer.internal.commit.QueueBudget;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admission and backpressure. A polled record is admitted only if the queue budget has room, its
 * partition (if it holds any record) would not go over its slice of the headroom,
 * {@code (1 - pauseAbove) / partitions}, while the queue is above {@code pauseAbove}, and the partition's
 * offset tracking is not {@code maxQueuedRecords} behind its oldest unfinished record; otherwise the
 * partition is paused and the records of that poll not yet admitted are held back, in order, until
 * it resumes (below {@code resumeBelow}). The queue never exceeds its bounds, only the partitions
 * that hold the backlog stop, and at most one poll's records wait outside the budget. Holding them
 * back instead of seeking back keeps the consumer's fetched data: a seek would discard it, and the
 * refetch can wait behind a long-poll fetch of the caught-up partitions.
 */
final class Admission {
    private static final Logger LOG = LoggerFactory.getLogger(Admission.class);

    private final PollContext ctx;
    private final Set<TopicPartition> pausedView;
    private final java.util.function.LongSupplier limit;

    /**
     * @param limit how many more records may be admitted now, on top of the budget (the commit
     *     mode's {@link Commits#admissionLimit()})
     */
    Admission(PollContext ctx, Set<TopicPartition> pausedView, java.util.function.LongSupplier limit) {
        this.ctx = ctx;
        this.pausedView = pausedView;
        this.limit = limit;
    }

    /**
     * Registers what can be admitted of the partition's held records followed by {@code polled},
     * holds back the rest and pauses the partition if anything was held.
     *
     * @return the admitted records, in offset order
     */
    List<ConsumerRecord<byte[], byte[]>> admit(PartitionState ps, List<ConsumerRecord<byte[], byte[]>> polled) {
        List<ConsumerRecord<byte[], byte[]>> records = polled;
        if (!ps.held.isEmpty()) {
            records = new ArrayList<>(ps.held);
            records.addAll(polled);
            ps.held.clear();
        }
        QueueBudget budget = ctx.budget();
        double pauseAbove = ctx.config().pauseAbove();
        int active = Math.max(1, activePartitions());
        // Above the pause mark, what is left of the bound is every partition's headroom: a partition takes at most
        // its slice of it (and its share, when the mark is set below half), so however many partitions back up, one
        // holding nothing still finds room; taking up to its share instead, two backed-up partitions filled it all
        double aboveMarkLimit = Math.min(pauseAbove, 1 - pauseAbove) / active;
        // The partition's outstanding work, read once and then counted up locally: completions on
        // other threads only lower it, so the local figure errs on the side of pausing.
        long outstandingRecords = ps.tracker.outstandingRecords();
        long outstandingBytes = ps.tracker.outstandingBytes();
        long span = ps.tracker.span();
        long lastOffset = ps.tracker.lastOffset();
        long allowed = limit.getAsLong();
        List<ConsumerRecord<byte[], byte[]>> accepted = new ArrayList<>(records.size());
        for (ConsumerRecord<byte[], byte[]> r : records) {
            if (accepted.size() >= allowed) {
                ps.held.addAll(records.subList(accepted.size(), records.size()));
                pause(ps);
                break;
            }
            int size = DefaultConsumerGroupManager.sizeOf(r);
            boolean overShare = budget.usage() >= pauseAbove && outstandingRecords > 0
                    && budget.share(outstandingRecords + 1, outstandingBytes + size) > aboveMarkLimit;
            // the ring keeps a slot for every record behind the oldest unfinished one, finished or not: a record
            // that never finishes must pause its partition, not grow the ring by a slot per record consumed
            boolean overSpan = span >= ctx.config().maxQueuedRecords();
            if (overShare || overSpan || !budget.tryReserve(size)) {
                ps.held.addAll(records.subList(accepted.size(), records.size()));
                pause(ps);
                break;
            }
            if (r.offset() <= lastOffset) {
                LOG.warn("group {}: {} moved back to offset {} (last seen {}); restarting its offset tracking",
                        ctx.config().groupId(), ps.tp, r.offset(), lastOffset);
                ctx.resetTracker(ps);
                outstandingRecords = 0;
                outstandingBytes = 0;
                span = 0;
            }
            ps.tracker.register(r.offset(), r.leaderEpoch().orElse(-1), size);
            lastOffset = r.offset();
            span++;
            outstandingRecords++;
            outstandingBytes += size;
            if (ps.firstOffset < 0) {
                ps.firstOffset = r.offset();
            }
            accepted.add(r);
        }
        return accepted;
    }

    /**
     * Pauses partitions over their share (or too far ahead of their oldest unfinished record) and
     * resumes those back below the resume mark; a resumed partition's held records go to
     * {@code dispatch} first.
     */
    void adjust(boolean resumeAllowed, Consumer<PartitionState> dispatchHeld) {
        QueueBudget budget = ctx.budget();
        double usage = budget.usage();
        double pauseAbove = ctx.config().pauseAbove();
        double resumeBelow = ctx.config().resumeBelow();
        int maxQueued = ctx.config().maxQueuedRecords();
        int active = Math.max(1, activePartitions());
        for (PartitionState ps : new ArrayList<>(ctx.partitions().values())) {
            if (ps.failed) {
                continue;
            }
            double share = budget.share(ps.tracker.outstandingRecords(), ps.tracker.outstandingBytes());
            long span = ps.tracker.span();
            if (!ps.paused && (usage >= pauseAbove && share >= pauseAbove / active || span >= maxQueued)) {
                pause(ps);
            } else if (ps.paused && resumeAllowed && limit.getAsLong() > 0 && span <= maxQueued * resumeBelow
                    && (usage <= resumeBelow || share < resumeBelow / active)) {
                ctx.consumer().resume(List.of(ps.tp));
                ps.paused = false;
                pausedView.remove(ps.tp);
                if (!ps.held.isEmpty()) {
                    dispatchHeld.accept(ps); // the held records first; may pause again
                }
            }
        }
    }

    void pause(PartitionState ps) {
        if (!ps.paused) {
            ctx.consumer().pause(List.of(ps.tp));
            ps.paused = true;
            pausedView.add(ps.tp);
        }
    }

    private int activePartitions() {
        int n = 0;
        for (PartitionState ps : ctx.partitions().values()) {
            if (!ps.failed) {
                n++;
            }
        }
        return n;
    }
}
