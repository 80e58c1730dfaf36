package io.syncer.internal.sink;

import io.syncer.consume.ConsumerGroupHandler;
import io.syncer.consume.DrainMode;
import io.syncer.consume.GroupSession;
import io.syncer.consume.PartitionClaim;
import io.syncer.sink.Sink;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handler a {@link DefaultSyncer}'s manager calls: tells the sinks where each assigned
 * partition starts ({@link Sink#partitionAssigned}, with the first consumed offset, before the queue
 * sees that record) and which partitions went away ({@link Sink#partitionsRevoked}), after the
 * queue's cleanup has dropped their queued records and the sink batchers theirs. Called on the poll thread only, so its state needs no lock.
 */
final class SinkPartitionEvents implements ConsumerGroupHandler {
    private static final Logger LOG = LoggerFactory.getLogger(SinkPartitionEvents.class);

    private final ConsumerGroupHandler queue;
    private final List<? extends Sink<?>> sinks;
    private final java.util.function.Consumer<Set<TopicPartition>> discard;
    private final Set<TopicPartition> unstarted = new HashSet<>();

    /**
     * @param discard drops what the sink batchers hold of revoked partitions, after the queue's cleanup
     */
    SinkPartitionEvents(ConsumerGroupHandler queue, List<? extends Sink<?>> sinks,
                        java.util.function.Consumer<Set<TopicPartition>> discard) {
        this.queue = queue;
        this.sinks = List.copyOf(sinks);
        this.discard = discard;
    }

    SinkPartitionEvents(ConsumerGroupHandler queue, List<? extends Sink<?>> sinks) {
        this(queue, sinks, tps -> { });
    }

    @Override
    public void setup(GroupSession session) throws Exception {
        unstarted.addAll(session.addedPartitions());
        queue.setup(session);
    }

    @Override
    public void consumeClaim(GroupSession session, PartitionClaim claim) throws Exception {
        TopicPartition tp = claim.topicPartition();
        List<ConsumerRecord<byte[], byte[]>> records = claim.records();
        if (!records.isEmpty() && unstarted.remove(tp)) {
            long first = records.get(0).offset();
            for (Sink<?> sink : sinks) {
                try {
                    sink.partitionAssigned(tp, first);
                } catch (RuntimeException e) {
                    LOG.error("sink {}: partitionAssigned({}, {}) failed", sink.name(), tp, first, e);
                }
            }
        }
        queue.consumeClaim(session, claim);
    }

    @Override
    public void cleanup(GroupSession session) throws Exception {
        Set<TopicPartition> revoked = session.revokedPartitions();
        for (TopicPartition tp : revoked) {
            // still assigned after the "revoke": a rewind (an aborted transaction), so the partition starts again
            if (session.assignment().contains(tp)) {
                unstarted.add(tp);
            } else {
                unstarted.remove(tp);
            }
        }
        try {
            queue.cleanup(session);
        } finally {
            if (!revoked.isEmpty()) {
                // what still waits in a sink batch after the queue's wait is the next owner's (and, after an aborted
                // transaction, must not be written into the next one)
                discard.accept(revoked);
                for (Sink<?> sink : sinks) {
                    try {
                        sink.partitionsRevoked(revoked);
                    } catch (RuntimeException e) {
                        LOG.error("sink {}: partitionsRevoked({}) failed", sink.name(), revoked, e);
                    }
                }
            }
        }
    }

    @Override
    public void close(Duration timeout, DrainMode mode) throws Exception {
        queue.close(timeout, mode);
    }
}
