package io.syncer.consume;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The caught-up view: unknown is not zero. */
class GroupHealthTest {
    private static final TopicPartition P0 = new TopicPartition("t", 0);
    private static final TopicPartition P1 = new TopicPartition("t", 1);

    private static PartitionStatus status(long committed, long logEnd, long queued) {
        return new PartitionStatus(committed, logEnd, 0, queued, false, false, false);
    }

    private static GroupHealth health(ManagerState state, Map<TopicPartition, PartitionStatus> partitions) {
        return new GroupHealth(state, Set.of(P0, P1), Set.of(), Map.of(), Set.of(), partitions, 0, 0, null);
    }

    @Test
    void aPartitionIsCaughtUpOnlyAtAKnownLogEnd() {
        assertFalse(status(-1, -1, 0).caughtUp(), "log end unknown: lag reads 0, but not caught up");
        assertFalse(status(10, -1, 0).caughtUp());
        assertFalse(status(90, 100, 0).caughtUp());
        assertFalse(status(100, 100, 3).caughtUp(), "records still queued");
        assertTrue(status(100, 100, 0).caughtUp());
        assertTrue(status(-1, 0, 0).caughtUp(), "an empty partition never committed");
        assertFalse(status(-1, 5, 0).caughtUp(), "records never committed");
        assertFalse(new PartitionStatus(100, 100, 0, 0, false, false, true).caughtUp(), "failed");
    }

    @Test
    void theGroupIsCaughtUpWhenRunningAndEveryAssignedPartitionIs() {
        Map<TopicPartition, PartitionStatus> both = Map.of(P0, status(5, 5, 0), P1, status(-1, 0, 0));
        assertTrue(health(ManagerState.RUNNING, both).isCaughtUp());
        assertFalse(health(ManagerState.STARTING, both).isCaughtUp(), "starting");
        assertFalse(health(ManagerState.RUNNING, Map.of(P0, status(5, 5, 0))).isCaughtUp(), "a partition without status");
        assertFalse(health(ManagerState.RUNNING, Map.of(P0, status(5, 5, 0), P1, status(0, 3, 0))).isCaughtUp());
        assertFalse(health(ManagerState.RUNNING, both).withSinkOutages(Map.of("s",
                new io.syncer.sink.SinkOutage("s", null, "down", java.time.Instant.now(), 1, 0))).isCaughtUp(), "a sink is out");
    }
}
