package io.syncer.internal.consume;

import io.syncer.consume.DrainMode;
import io.syncer.produce.TransactionalKafkaProducers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exactly-once commits: offsets go into the output producer's transaction, so a transaction's
 * outputs and the offsets of the records that made them become visible together, or not at all.
 *
 * <p>The cycle, one step per poll-loop turn:
 * <ol>
 *   <li><b>open</b>: the first claim after a commit opens a transaction ({@link #beforeDispatch});</li>
 *   <li><b>draining</b>: when the commit interval has passed, every partition is paused and the
 *       queue drains, so every output sent in the transaction belongs to a record whose offset is
 *       committed with it;</li>
 *   <li><b>committing</b>: once nothing is queued or in flight, the offsets are sent to the
 *       transaction and it commits; the partitions resume;</li>
 *   <li><b>aborting</b>: a drain that outlasts the commit timeout, a lost partition or a commit
 *       that fails aborts the transaction instead. Its outputs are never visible, so the
 *       partitions' work is taken from the handler first (nothing of it may join the next
 *       transaction) and they rewind to their committed offsets.</li>
 * </ol>
 * A revoke drains and commits before the partitions go (their new owner starts right after it).
 *
 * <p><b>A failed send.</b> One send that fails (a record too large, not authorized, a delivery
 * timeout) puts the producer's transaction in an abortable error state: every later send of it
 * fails and it cannot commit. As soon as that shows ({@link TransactionalKafkaProducers#transactionFailed()})
 * the transaction is aborted and its partitions rewound, and its work is done again in smaller
 * transactions: each failure halves how many records a transaction may hold, each commit doubles
 * it, until one record alone fails its transaction. That record is the one at fault: once the queue
 * has dead-lettered (or halted at) it, its transaction is aborted (none of its outputs are visible)
 * and its offset committed in a transaction of its own. When every partition is past what the
 * first failed transaction held, transactions are unbounded again. Until a record fails alone its
 * failure is reported retriable, so healthy records are never dead-lettered for another's failure
 * and the one at fault is dead-lettered once (at least once across a crash).
 */
final class TransactionalCommits implements Commits {
    private static final Logger LOG = LoggerFactory.getLogger(TransactionalCommits.class);

    private final PollContext ctx;
    private final TransactionalKafkaProducers transactions;
    private final String group;
    /** Partitions paused to drain the queue before the transaction commits. */
    private final Set<TopicPartition> drainPaused = new HashSet<>();
    private long drainStartedNanos = -1;
    private long lastCommitNanos = System.nanoTime();
    private boolean open;
    /** Records handed out in the open transaction. */
    private long inTransaction;
    /** While redoing a failed transaction's work: records a transaction may hold; else unbounded. */
    private long isolationLimit = Long.MAX_VALUE;
    /** Per partition, the last offset in work when a transaction first failed: isolation ends past them. */
    private final Map<TopicPartition, Long> isolateUntil = new java.util.HashMap<>();
    /** When a one-record transaction was seen failed, waiting for its record to be dead-lettered. */
    private long failedSinceNanos = -1;

    TransactionalCommits(PollContext ctx, TransactionalKafkaProducers transactions) {
        this.ctx = ctx;
        this.transactions = transactions;
        this.group = ctx.config().groupId();
    }

    @Override
    public void beforeDispatch(int records) {
        if (!open) {
            if (transactions instanceof io.syncer.internal.produce.DefaultKafkaProducers) {
                // a send failure is the record's own only when it is alone in its transaction
                ((io.syncer.internal.produce.DefaultKafkaProducers) transactions).transactionHoldsOneRecord(isolationLimit == 1);
            }
            transactions.beginTransaction();
            open = true;
            inTransaction = 0;
        }
        inTransaction += records;
    }

    @Override
    public long admissionLimit() {
        if (isolationLimit == Long.MAX_VALUE) {
            return Long.MAX_VALUE;
        }
        return open ? Math.max(0, isolationLimit - inTransaction) : isolationLimit; // records per transaction
    }

    @Override
    public boolean resumeAllowed() {
        return drainStartedNanos < 0; // a drain resumes nothing until it commits
    }

    @Override
    public boolean draining() {
        return !drainPaused.isEmpty();
    }

    @Override
    public void maybeCommit() {
        long now = System.nanoTime();
        if (open && transactions.transactionFailed()) {
            onFailedTransaction(now);
            return;
        }
        if (open && isolationLimit != Long.MAX_VALUE && ctx.budget().records() == 0) {
            commitOrAbort(); // redoing a failed transaction's work: each small transaction commits at once
            return;
        }
        if (!open) {
            if (drainStartedNanos >= 0) {
                endDrain(); // a revoke committed or aborted the transaction during the drain
            }
            lastCommitNanos = now;
            return;
        }
        if (drainStartedNanos < 0) {
            if (now - lastCommitNanos < ctx.config().commitInterval().toNanos()) {
                return;
            }
            drainStartedNanos = now;
            for (PartitionState ps : ctx.partitions().values()) {
                if (!ps.paused && !ps.failed) {
                    ctx.consumer().pause(List.of(ps.tp));
                    ps.paused = true;
                    drainPaused.add(ps.tp);
                }
            }
        }
        if (ctx.budget().records() == 0) {
            commitOrAbort();
            endDrain();
        } else if (now - drainStartedNanos > ctx.config().commitTimeout().toNanos()) {
            LOG.warn("group {}: {} records still in work {} after the transaction started draining; aborting it",
                    group, ctx.budget().records(), ctx.config().commitTimeout());
            abortAndRewind(ctx.partitions().keySet());
            endDrain();
        }
    }

    @Override
    public void halted(PartitionState ps) {
        if (open) {
            // outputs the halted record made are in the open transaction, while its offset is never committed:
            // committing would make them visible now and again when the record is redone after the fix
            LOG.warn("group {}: {} halted; aborting the open transaction so none of the halted record's outputs are"
                    + " visible", group, ps.tp);
            abortAndRewind(ctx.partitions().keySet());
            endDrain();
        }
    }

    @Override
    public void assigned(Collection<TopicPartition> assigned) {
        if (drainStartedNanos < 0) {
            return;
        }
        // assigned while the transaction drains: nothing of theirs may join it before it commits
        for (TopicPartition tp : assigned) {
            PartitionState ps = ctx.partitions().get(tp);
            if (ps != null && !ps.paused) {
                ctx.consumer().pause(List.of(tp));
                ps.paused = true;
                drainPaused.add(tp);
            }
        }
    }

    @Override
    public void revoking(Collection<TopicPartition> revoked) {
        if (!open) {
            return;
        }
        long deadline = System.nanoTime() + ctx.config().revokeTimeout().toNanos();
        while (ctx.budget().records() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (ctx.budget().records() == 0) {
            commitOrAbort();
        } else {
            LOG.warn("group {}: {} records still in work at the revoke of {}; aborting the transaction",
                    group, ctx.budget().records(), revoked);
            abortAndRewind(ctx.partitions().keySet());
        }
    }

    @Override
    public void lost(Collection<TopicPartition> lost) {
        try {
            abortAndRewind(ctx.partitions().keySet());
        } catch (RuntimeException e) {
            LOG.warn("group {}: aborting the transaction of lost partitions failed: {}", group, e.toString());
        }
    }

    @Override
    public void commitFinished(Collection<TopicPartition> tps, Duration timeout) {
        // offsets are only ever committed inside a transaction, with the outputs they cover
    }

    @Override
    public void close(Duration timeout, DrainMode mode, boolean failed) {
        if (!open) {
            return;
        }
        if (!failed && mode == DrainMode.DRAIN && ctx.budget().records() == 0) {
            commitOrAbort();
        } else {
            transactions.abortTransaction();
            open = false;
        }
    }

    /** A send of the open transaction failed; see the class Javadoc. */
    private void onFailedTransaction(long now) {
        long inWork = ctx.budget().records();
        if (isolationLimit == 1 && inTransaction <= 1 && inWork == 0) {
            // one record alone failed its transaction and is dead-lettered or halted: its outputs go with the
            // aborted transaction, its offset is committed in a transaction of its own
            LOG.warn("group {}: a transaction of one record failed; that record is the one at fault and was handed to"
                    + " the dead-letter policy; committing past it", group);
            abortOnly();
            beforeDispatch(0);
            commitOrAbort();
            failedSinceNanos = -1;
            return;
        }
        if (isolationLimit == 1 && (failedSinceNanos < 0 || now - failedSinceNanos < ctx.config().commitTimeout().toNanos())) {
            if (failedSinceNanos < 0) {
                failedSinceNanos = now;
            }
            return; // wait for the record at fault to be dead-lettered
        }
        failedSinceNanos = -1;
        if (isolateUntil.isEmpty()) {
            for (PartitionState ps : ctx.partitions().values()) {
                isolateUntil.put(ps.tp, ps.tracker.lastOffset());
            }
        }
        isolationLimit = Math.max(1, Math.min(isolationLimit, Math.max(1, inTransaction)) / 2);
        LOG.warn("group {}: a send of the transaction failed; aborting it and redoing its {} records in transactions"
                + " of at most {}", group, inTransaction, isolationLimit);
        abortAndRewind(ctx.partitions().keySet());
        endDrain();
    }

    /** Aborts the open transaction without rewinding (every record of it is finished). */
    private void abortOnly() {
        open = false;
        try {
            transactions.abortTransaction();
        } catch (RuntimeException e) {
            LOG.warn("group {}: aborting the transaction failed: {}", group, e.toString());
        }
    }

    /** After a commit while isolating: larger transactions again, and unbounded once past the failed one. */
    private void afterIsolatedCommit() {
        if (isolationLimit == Long.MAX_VALUE) {
            return;
        }
        boolean past = true;
        for (Map.Entry<TopicPartition, Long> e : isolateUntil.entrySet()) {
            PartitionState ps = ctx.partitions().get(e.getKey());
            if (ps != null && !ps.failed && ps.committedOffset <= e.getValue()) {
                past = false;
                break;
            }
        }
        if (past) {
            LOG.info("group {}: past the failed transaction's records; transactions are unbounded again", group);
            isolationLimit = Long.MAX_VALUE;
            isolateUntil.clear();
        } else {
            isolationLimit = Math.min(isolationLimit * 2, ctx.config().maxQueuedRecords());
        }
    }

    private void endDrain() {
        for (TopicPartition tp : drainPaused) {
            PartitionState ps = ctx.partitions().get(tp);
            if (ps != null && !ps.failed) { // a partition that failed during the drain stays paused
                ctx.consumer().resume(List.of(tp));
                ps.paused = false;
            }
        }
        drainPaused.clear();
        drainStartedNanos = -1;
        lastCommitNanos = System.nanoTime();
    }

    /**
     * Commits the open transaction with the offsets of every partition (the queue is empty). A commit
     * that fails (the transaction went into an error state, a timeout) aborts and rewinds instead:
     * the work is done again, never lost, and the manager goes on.
     */
    private void commitOrAbort() {
        Map<TopicPartition, PartitionState> partitions = ctx.partitions();
        for (PartitionState ps : partitions.values()) {
            if (!ps.failed && ps.tracker.isStopped()) {
                // halted on a worker thread, the halt not yet applied here: never commit the halted record's outputs
                LOG.warn("group {}: {} halted during the transaction; aborting it", group, ps.tp);
                abortAndRewind(partitions.keySet());
                return;
            }
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = PartitionState.committable(partitions, partitions.keySet());
        long sent = System.nanoTime();
        try {
            if (!offsets.isEmpty()) {
                transactions.sendOffsetsToTransaction(offsets, ctx.consumer().groupMetadata());
            }
            transactions.commitTransaction();
        } catch (RuntimeException e) {
            ctx.metrics().commitCompleted(group, Duration.ofNanos(System.nanoTime() - sent), false);
            LOG.warn("group {}: committing the transaction failed ({}); aborting it and doing its work again",
                    group, e.toString());
            abortAndRewind(partitions.keySet());
            return;
        }
        open = false;
        ctx.metrics().commitCompleted(group, Duration.ofNanos(System.nanoTime() - sent), true);
        offsets.forEach((tp, o) -> partitions.get(tp).committed(o));
        afterIsolatedCommit();
    }

    /**
     * Aborts the open transaction: its outputs are never visible, so the partitions' work is taken
     * from the handler first (nothing of it may be sent into the next transaction), then they rewind
     * to their committed offsets.
     */
    private void abortAndRewind(Collection<TopicPartition> tps) {
        List<TopicPartition> rewound = new ArrayList<>(tps);
        ctx.cleanup(rewound, false, "aborting a transaction");
        if (open) {
            open = false;
            try {
                transactions.abortTransaction();
            } catch (RuntimeException e) {
                LOG.warn("group {}: aborting the transaction failed: {}", group, e.toString());
            }
        }
        Map<TopicPartition, OffsetAndMetadata> committed;
        try {
            committed = ctx.consumer().committed(Set.copyOf(rewound), ctx.config().commitTimeout());
        } catch (RuntimeException e) {
            // the broker did not answer in time: rewind to the offsets this manager last committed (a lookup
            // timeout must not end the manager)
            LOG.warn("group {}: reading the committed offsets of {} failed ({}); rewinding to the last ones committed"
                    + " here", group, rewound, e.toString());
            committed = new java.util.HashMap<>();
            for (TopicPartition tp : rewound) {
                PartitionState ps = ctx.partitions().get(tp);
                if (ps != null && ps.committedOffset >= 0) {
                    committed.put(tp, new OffsetAndMetadata(ps.committedOffset));
                }
            }
        }
        List<TopicPartition> noOffset = new ArrayList<>();
        for (TopicPartition tp : rewound) {
            PartitionState ps = ctx.partitions().get(tp);
            if (ps == null) {
                continue;
            }
            ctx.resetTracker(ps);
            OffsetAndMetadata c = committed.get(tp);
            if (c == null) {
                noOffset.add(tp);
            } else {
                ctx.consumer().seek(tp, c.offset());
            }
        }
        if (!noOffset.isEmpty()) {
            ctx.seekInitial(noOffset);
        }
        LOG.warn("group {}: transaction aborted; {} rewound to their committed offsets", group, rewound);
    }
}
