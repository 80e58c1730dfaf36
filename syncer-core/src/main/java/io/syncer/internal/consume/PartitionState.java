package io.syncer.internal.consume;

import io.syncer.internal.commit.OffsetTracker;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/** Poll-thread state of one assigned partition: its offset tracker, pause and failure flags, commit progress. */
final class PartitionState {
    final TopicPartition tp;
    OffsetTracker tracker;
    boolean paused;
    boolean failed;
    /** Polled but not admitted (the budget was full): next in line when the partition resumes. */
    final List<ConsumerRecord<byte[], byte[]>> held = new ArrayList<>();
    long committedOffset = -1;
    long sentOffset = -1;
    long firstOffset = -1;
    long lastProgressNanos = System.nanoTime();

    PartitionState(TopicPartition tp, OffsetTracker tracker) {
        this.tp = tp;
        this.tracker = tracker;
    }

    /** A commit of {@code o} succeeded: progress for the stall watchdog, and nothing below it is sent again. */
    void committed(OffsetAndMetadata o) {
        if (o.offset() > committedOffset) {
            committedOffset = o.offset();
            lastProgressNanos = System.nanoTime();
            sentOffset = Math.max(sentOffset, o.offset());
        }
    }

    /** What the trackers of {@code tps} allow to commit beyond what was already sent. */
    static Map<TopicPartition, OffsetAndMetadata> committable(Map<TopicPartition, PartitionState> partitions,
                                                              Collection<TopicPartition> tps) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : tps) {
            PartitionState ps = partitions.get(tp);
            if (ps == null) {
                continue;
            }
            Optional<OffsetAndMetadata> o = ps.tracker.committable();
            if (o.isPresent() && o.get().offset() > ps.sentOffset) {
                offsets.put(tp, o.get());
            }
        }
        return offsets;
    }
}
