package io.syncer.internal.consume;

import io.syncer.commit.InitialPosition;
import io.syncer.commit.OffsetResetPolicy;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a partition starts and what happens when its position is gone: no committed offset (the
 * configured initial position), or an offset out of range mid-stream (the
 * {@link OffsetResetPolicy}: fail the partition closed, or an explicit reset to the earliest, the
 * latest or a time). Never a silent rewind: the consumer's own {@code auto.offset.reset} is
 * {@code none}, so every reset passes through here, is logged, and an explicit one is committed
 * so a restart does not reset again later.
 */
final class OffsetResets {
    private static final Logger LOG = LoggerFactory.getLogger(OffsetResets.class);

    private final PollContext ctx;
    private final Commits commits;
    private final String group;

    OffsetResets(PollContext ctx, Commits commits) {
        this.ctx = ctx;
        this.commits = commits;
        this.group = ctx.config().groupId();
    }

    void seekInitial(Collection<TopicPartition> tps) {
        LOG.info("group {}: no committed offset for {}; starting at {}", group, tps, ctx.config().initialPosition());
        if (ctx.config().initialPosition() == InitialPosition.EARLIEST) {
            ctx.consumer().seekToBeginning(tps);
        } else {
            ctx.consumer().seekToEnd(tps);
        }
    }

    void handleOutOfRange(Map<TopicPartition, Long> outOfRange) {
        OffsetResetPolicy policy = ctx.config().offsetResetPolicy();
        for (Map.Entry<TopicPartition, Long> e : outOfRange.entrySet()) {
            TopicPartition tp = e.getKey();
            long offset = e.getValue();
            PartitionState ps = ctx.partitions().get(tp);
            if (ps == null) {
                continue;
            }
            try {
                reset(policy, ps, offset);
            } catch (RuntimeException lookup) {
                // an offset lookup timed out (the broker is slow or away): the position is unchanged, so the next
                // poll reports the partition out of range again and the reset is tried again; the manager goes on
                LOG.warn("group {}: resetting {} (offset {} out of range, policy {}) failed, retried at the next poll: {}",
                        group, tp, offset, policy, lookup.toString());
            }
        }
    }

    private void reset(OffsetResetPolicy policy, PartitionState ps, long offset) {
        TopicPartition tp = ps.tp;
        switch (policy.kind()) {
            case FAIL: {
                Long start = ctx.consumer().beginningOffsets(List.of(tp), ctx.config().commitTimeout()).get(tp);
                Long end = ctx.consumer().endOffsets(List.of(tp), ctx.config().commitTimeout()).get(tp);
                ctx.failPartition(ps, offset, "offset " + offset + " is out of range [" + start + ", " + end
                        + "]; the position was not moved (offset reset policy 'fail'). Reset the group's offset "
                        + "for this partition or choose an explicit policy (earliest, latest, by-duration) to resume");
                LOG.error("group {}: {} failed closed at offset {}: out of range, policy 'fail'", group, tp, offset);
                break;
            }
            case EARLIEST:
                LOG.warn("group {}: {} offset {} out of range; seeking to earliest (policy {})",
                        group, tp, offset, policy);
                revokeForReset(ps);
                ctx.resetTracker(ps);
                ctx.consumer().seekToBeginning(List.of(tp));
                break;
            case LATEST:
                LOG.warn("group {}: {} offset {} out of range; seeking to latest (policy {})",
                        group, tp, offset, policy);
                revokeForReset(ps);
                ctx.resetTracker(ps);
                ctx.consumer().seekToEnd(List.of(tp));
                break;
            case BY_DURATION: {
                long ts = System.currentTimeMillis() - policy.lookBack().toMillis();
                OffsetAndTimestamp found = ctx.consumer().offsetsForTimes(Map.of(tp, ts), ctx.config().commitTimeout()).get(tp);
                LOG.warn("group {}: {} offset {} out of range; seeking to {} (policy {})", group, tp,
                        offset, found == null ? "the log end" : "offset " + found.offset(), policy);
                revokeForReset(ps);
                ctx.resetTracker(ps);
                if (found == null) {
                    ctx.consumer().seekToEnd(List.of(tp));
                } else {
                    ctx.consumer().seek(tp, found.offset());
                }
                break;
            }
            default:
                throw new IllegalStateException("unknown policy " + policy);
        }
        if (!ps.failed) {
            commitResetPosition(ps);
        }
    }

    /**
     * Before a reset moves a partition's position: its queued and running work is revoked from the
     * handler as a rebalance would (the queue drops what is queued and waits, up to the revoke
     * timeout, for what runs), and what finished is committed. Only then is the tracker replaced and
     * the new position committed, so no old record is worked on against a closed tracker, outside
     * the queue bound, or behind a commit that already passed it.
     */
    private void revokeForReset(PartitionState ps) {
        ctx.cleanup(List.of(ps.tp), false, "before the reset of " + ps.tp);
        commits.commitFinished(List.of(ps.tp), ctx.config().commitTimeout());
    }

    /** Commits the position an explicit reset chose, so a restart does not reset again, later. */
    private void commitResetPosition(PartitionState ps) {
        try {
            long position = ctx.consumer().position(ps.tp, ctx.config().commitTimeout());
            ctx.consumer().commitSync(Map.of(ps.tp, new OffsetAndMetadata(position)), ctx.config().commitTimeout());
            ps.committedOffset = position;
            ps.sentOffset = position;
            ps.lastProgressNanos = System.nanoTime();
            LOG.warn("group {}: {} reset to offset {} and committed", group, ps.tp, position);
        } catch (RuntimeException e) {
            LOG.warn("group {}: could not commit the reset position of {}: {}", group, ps.tp, e.toString());
        }
    }
}
