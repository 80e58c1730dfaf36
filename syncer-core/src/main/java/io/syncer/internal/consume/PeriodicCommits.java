package io.syncer.internal.consume;

import io.syncer.consume.DrainMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At-least-once (and at-most-once) commits: every commit interval an asynchronous commit of each
 * partition's committable offset (the contiguous processed prefix; for at most once, what was
 * registered), synchronous ones at a revoke, before a reset and at close. A failed asynchronous
 * commit is sent again at the next interval.
 */
final class PeriodicCommits implements Commits {
    private static final Logger LOG = LoggerFactory.getLogger(PeriodicCommits.class);

    private final PollContext ctx;
    private long lastCommitNanos = System.nanoTime();

    PeriodicCommits(PollContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void maybeCommit() {
        long now = System.nanoTime();
        if (now - lastCommitNanos < ctx.config().commitInterval().toNanos()) {
            return;
        }
        lastCommitNanos = now;
        Map<TopicPartition, PartitionState> partitions = ctx.partitions();
        Map<TopicPartition, OffsetAndMetadata> offsets = PartitionState.committable(partitions, partitions.keySet());
        if (offsets.isEmpty()) {
            return;
        }
        offsets.forEach((tp, o) -> partitions.get(tp).sentOffset = o.offset());
        long sent = System.nanoTime();
        String group = ctx.config().groupId();
        ctx.consumer().commitAsync(offsets, (committed, error) -> {
            ctx.metrics().commitCompleted(group, Duration.ofNanos(System.nanoTime() - sent), error == null);
            if (error == null) {
                committed.forEach((tp, o) -> {
                    PartitionState ps = ctx.partitions().get(tp);
                    if (ps != null) {
                        ps.committed(o);
                    }
                });
            } else {
                LOG.warn("group {}: async commit failed, will retry: {}", group, error.toString());
                committed.keySet().forEach(tp -> {
                    PartitionState ps = ctx.partitions().get(tp);
                    if (ps != null) {
                        ps.sentOffset = ps.committedOffset;
                    }
                });
            }
        });
    }

    @Override
    public void revoked(Collection<TopicPartition> revoked) {
        commitSync(revoked, ctx.config().commitTimeout());
    }

    @Override
    public void commitFinished(Collection<TopicPartition> tps, Duration timeout) {
        commitSync(tps, timeout);
    }

    @Override
    public void close(Duration timeout, DrainMode mode, boolean failed) {
        if (!failed) {
            commitSync(new ArrayList<>(ctx.partitions().keySet()), timeout);
        }
    }

    /** Commits the partitions' committable offsets and waits; a failure is logged (the records come again). */
    boolean commitSync(Collection<TopicPartition> tps, Duration timeout) {
        Map<TopicPartition, OffsetAndMetadata> offsets = PartitionState.committable(ctx.partitions(), tps);
        if (offsets.isEmpty()) {
            return true;
        }
        long sent = System.nanoTime();
        String group = ctx.config().groupId();
        try {
            ctx.consumer().commitSync(offsets, timeout);
            ctx.metrics().commitCompleted(group, Duration.ofNanos(System.nanoTime() - sent), true);
            offsets.forEach((tp, o) -> ctx.partitions().get(tp).committed(o));
            return true;
        } catch (RuntimeException e) {
            ctx.metrics().commitCompleted(group, Duration.ofNanos(System.nanoTime() - sent), false);
            LOG.warn("group {}: commit of {} failed; those records will be delivered again: {}", group, offsets, e.toString());
            return false;
        }
    }
}
