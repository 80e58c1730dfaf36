package io.syncer.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.syncer.sink.SinkStats;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** Issue 11, smaller defects: per-partition counters were never removed after a revoke. */
class MicrometerMetricsTest {
    @Test
    void shareGroupCountsAreCountersAndTheDeliveryCountADistribution() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        MicrometerMetrics metrics = new MicrometerMetrics(registry);
        metrics.shareAcquired("sg", 10);
        metrics.shareAcknowledged("sg", "accept", 9);
        metrics.shareAcknowledged("sg", "release", 1);
        metrics.shareDelivered("sg", 1);
        metrics.shareDelivered("sg", 3);
        assertEquals(10, registry.get(MicrometerMetrics.SHARE_ACQUIRED).tag("group", "sg").counter().count());
        assertEquals(9, registry.get(MicrometerMetrics.SHARE_ACKNOWLEDGED).tag("type", "accept").counter().count());
        assertEquals(1, registry.get(MicrometerMetrics.SHARE_ACKNOWLEDGED).tag("type", "release").counter().count());
        assertEquals(3, registry.get(MicrometerMetrics.SHARE_DELIVERY_COUNT).summary().max());
        assertEquals(2, registry.get(MicrometerMetrics.SHARE_DELIVERY_COUNT).summary().count());
    }

    @Test
    void aRevokedPartitionsCountersAreRemovedAndComeBackFreshOnReassignment() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        MicrometerMetrics metrics = new MicrometerMetrics(registry);
        TopicPartition p0 = new TopicPartition("logs", 0);
        TopicPartition p1 = new TopicPartition("logs", 1);
        metrics.recordsConsumed("g", p0, 5);
        metrics.recordProcessed("g", p0);
        metrics.recordsConsumed("g", p1, 3);
        metrics.recordsConsumed("other", p0, 1);
        metrics.partitionsRevoked("g", List.of(p0));
        assertTrue(registry.find(MicrometerMetrics.RECORDS_CONSUMED).tag("group", "g").tag("partition", "0").counters().isEmpty(),
                "group g's counters of partition 0 are gone");
        assertTrue(registry.find(MicrometerMetrics.RECORDS_PROCESSED).tag("partition", "0").counters().isEmpty());
        assertEquals(3.0, registry.get(MicrometerMetrics.RECORDS_CONSUMED).tag("group", "g").tag("partition", "1").counter().count());
        assertEquals(1.0, registry.get(MicrometerMetrics.RECORDS_CONSUMED).tag("group", "other").tag("partition", "0").counter().count(),
                "another group's meters of the same partition stay");
        metrics.recordsConsumed("g", p0, 2);
        assertEquals(2.0, registry.get(MicrometerMetrics.RECORDS_CONSUMED).tag("group", "g").tag("partition", "0").counter().count(),
                "registered again when the partition comes back");
    }

    @Test
    void sinkStatsAreFunctionCountersThatSurviveAGarbageCollection() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        MicrometerMetrics metrics = new MicrometerMetrics(registry);
        long[] written = {0};
        metrics.bindSink("g", "es", () -> new SinkStats("es", 3, written[0], 2, 1, 7));
        System.gc(); // a function counter holds its source weakly: the metrics must keep it
        written[0] = 40;
        assertEquals(40.0, registry.get(MicrometerMetrics.SINK_RECORDS).tag("sink", "es").tag("outcome", "written")
                .functionCounter().count());
        assertEquals(2.0, registry.get(MicrometerMetrics.SINK_RECORDS).tag("outcome", "retried").functionCounter().count());
        assertEquals(1.0, registry.get(MicrometerMetrics.SINK_RECORDS).tag("outcome", "failed").functionCounter().count());
        assertEquals(3.0, registry.get(MicrometerMetrics.SINK_BATCHES).tag("group", "g").functionCounter().count());
        assertEquals(7.0, registry.get(MicrometerMetrics.SINK_HELD).tag("sink", "es").gauge().value());
    }

    @Test
    void anOwnedPartitionsRecordCountersExistFromZero() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        MicrometerMetrics metrics = new MicrometerMetrics(registry);
        TopicPartition p0 = new TopicPartition("logs", 0);
        metrics.partitionsUpdated("g", java.util.Map.of(p0, new io.syncer.consume.PartitionStatus(0, 10, 10, 0, false, false, false)));
        for (String name : List.of(MicrometerMetrics.RECORDS_CONSUMED, MicrometerMetrics.RECORDS_PROCESSED,
                MicrometerMetrics.RECORDS_RETRIED, MicrometerMetrics.RECORDS_DEAD_LETTERED, MicrometerMetrics.RECORDS_UNROUTED)) {
            assertEquals(0.0, registry.get(name).tag("group", "g").tag("partition", "0").counter().count(), name);
        }
    }
}
