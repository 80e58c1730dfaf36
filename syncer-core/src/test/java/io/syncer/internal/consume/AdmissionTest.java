package io.syncer.internal.consume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.syncer.consume.ConsumerGroupConfig;
import io.syncer.internal.commit.OffsetTracker;
import io.syncer.internal.commit.QueueBudget;
import io.syncer.metrics.SyncerMetrics;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class AdmissionTest {
    private static final int BOUND = 100;

    private final ConsumerGroupConfig config = ConsumerGroupConfig.builder().groupId("g").topics("t")
            .bootstrapServers("localhost:9").maxQueuedRecords(BOUND).build();
    private final QueueBudget budget = new QueueBudget(BOUND, Long.MAX_VALUE / 2);
    private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
    private final Map<TopicPartition, PartitionState> partitions = new LinkedHashMap<>();
    private final Set<TopicPartition> paused = new HashSet<>();
    private final Admission admission;

    AdmissionTest() {
        List<TopicPartition> tps = new ArrayList<>();
        for (int p = 0; p < 4; p++) {
            TopicPartition tp = new TopicPartition("t", p);
            tps.add(tp);
            partitions.put(tp, new PartitionState(tp, new OffsetTracker(tp, budget, false)));
        }
        consumer.assign(tps);
        admission = new Admission(new Context(), paused, () -> Long.MAX_VALUE);
    }

    private List<ConsumerRecord<byte[], byte[]>> records(int partition, long from, int count) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        for (long o = from; o < from + count; o++) {
            out.add(new ConsumerRecord<>("t", partition, o, null, new byte[10]));
        }
        return out;
    }

    private PartitionState state(int partition) {
        return partitions.get(new TopicPartition("t", partition));
    }

    /**
     * BackpressureIT failed once this way: two backed-up partitions took the queue to its pause mark and then each
     * took records up to its share of it, which together filled the whole bound; a fast partition's next record
     * found no room, and the fast partition was paused. Above the pause mark a partition now takes only its slice of
     * the headroom left for the others ((1 - pauseAbove) / partitions), so a partition holding nothing always fits.
     * Before the fix partition 1 took 20 records (to 100 queued) and partition 2's one record was held back.
     */
    @Test
    void aPartitionHoldingNothingStillGetsInAfterBackedUpPartitionsReachedThePauseMark() {
        assertEquals(80, admission.admit(state(0), records(0, 0, 80)).size(), "one partition may fill to the mark");
        int second = admission.admit(state(1), records(1, 0, 40)).size();
        assertTrue(state(1).paused, "the second backed-up partition is paused with the rest held");
        assertEquals(1, admission.admit(state(2), records(2, 0, 1)).size(), "a partition holding nothing gets in");
        assertEquals(1, admission.admit(state(3), records(3, 0, 1)).size());
        assertFalse(state(2).paused || state(3).paused, "the fast partitions flow");
        assertTrue(second <= 5, "above the mark a partition takes its slice of the headroom, not its share: " + second);
        assertTrue(budget.records() <= BOUND);
    }

    /** The context Admission reads; nothing here is called by admit. */
    private final class Context implements PollContext {
        @Override
        public ConsumerGroupConfig config() {
            return config;
        }

        @Override
        public Consumer<byte[], byte[]> consumer() {
            return consumer;
        }

        @Override
        public Map<TopicPartition, PartitionState> partitions() {
            return partitions;
        }

        @Override
        public QueueBudget budget() {
            return budget;
        }

        @Override
        public SyncerMetrics metrics() {
            return SyncerMetrics.NOOP;
        }

        @Override
        public void cleanup(Collection<TopicPartition> tps, boolean lost, String why) {
            throw new AssertionError("not expected");
        }

        @Override
        public void resetTracker(PartitionState ps) {
            throw new AssertionError("not expected");
        }

        @Override
        public void failPartition(PartitionState ps, long offset, String reason) {
            throw new AssertionError("not expected");
        }

        @Override
        public void seekInitial(Collection<TopicPartition> tps) {
            throw new AssertionError("not expected");
        }
    }
}
