package io.syncer.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.syncer.consume.GroupHealth;
import io.syncer.consume.ManagerState;
import io.syncer.consume.PartitionFailure;
import io.syncer.sink.SinkOutage;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/** How each pipeline state maps onto an Actuator status, and which details come with it. */
class SyncerHealthIndicatorTest {
    private static final TopicPartition TP = new TopicPartition("logs", 2);

    @Test
    void runningIsUpWithItsCounts() {
        Health h = SyncerHealthIndicator.health(view(ManagerState.RUNNING, Map.of(), Set.of(), Map.of(), null));
        assertEquals(Status.UP, h.getStatus());
        assertEquals("RUNNING", h.getDetails().get("state"));
        assertEquals(1, h.getDetails().get("assigned"));
        assertEquals(7L, h.getDetails().get("queuedRecords"));
        assertFalse(h.getDetails().containsKey("failedPartitions"));
    }

    @Test
    void aFailedPartitionIsOutOfServiceWithItsOffsetAndReason() {
        PartitionFailure f = new PartitionFailure(TP, 42, "offset out of range", Instant.EPOCH);
        Health h = SyncerHealthIndicator.health(view(ManagerState.RUNNING, Map.of(TP, f), Set.of(), Map.of(), null));
        assertEquals(Status.OUT_OF_SERVICE, h.getStatus());
        assertEquals(Map.of("logs-2", "at offset 42: offset out of range"), h.getDetails().get("failedPartitions"));
    }

    @Test
    void aStalledPartitionIsDown() {
        Health h = SyncerHealthIndicator.health(view(ManagerState.RUNNING, Map.of(), Set.of(TP), Map.of(), null));
        assertEquals(Status.DOWN, h.getStatus());
        assertEquals(Set.of("logs-2"), h.getDetails().get("stalledPartitions"));
    }

    @Test
    void aSinkOutageIsDownWithTheReasonAndHeldRecords() {
        SinkOutage o = new SinkOutage("ch", null, "AUTHENTICATION_FAILED", Instant.EPOCH, 3, 500);
        Health h = SyncerHealthIndicator.health(view(ManagerState.RUNNING, Map.of(), Set.of(), Map.of("ch", o), null));
        assertEquals(Status.DOWN, h.getStatus());
        assertEquals("DEGRADED", h.getDetails().get("state"));
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> outages = (Map<String, Map<String, Object>>) h.getDetails().get("sinkOutages");
        assertEquals("AUTHENTICATION_FAILED", outages.get("ch").get("reason"));
        assertEquals(500L, outages.get("ch").get("heldRecords"));
    }

    @Test
    void aGroupThatCannotBeJoinedIsDownWithTheReason() {
        Health h = SyncerHealthIndicator.health(view(ManagerState.STARTING, Map.of(), Set.of(), Map.of(),
                "cannot reach bootstrap.servers=x:1"));
        assertEquals(Status.DOWN, h.getStatus());
        assertEquals("cannot reach bootstrap.servers=x:1", h.getDetails().get("startupProblem"));
    }

    @Test
    void aFailedPollThreadIsDownWithTheError() {
        GroupHealth v = new GroupHealth(ManagerState.FAILED, Set.of(), Set.of(), Map.of(), Set.of(), Map.of(), 0, 0,
                new IllegalStateException("boom"));
        Health h = SyncerHealthIndicator.health(v);
        assertEquals(Status.DOWN, h.getStatus());
        assertEquals("java.lang.IllegalStateException: boom", h.getDetails().get("failure"));
    }

    @Test
    void newIsUnknownAndClosedIsOutOfService() {
        assertEquals(Status.UNKNOWN, SyncerHealthIndicator.health(view(ManagerState.NEW, Map.of(), Set.of(), Map.of(), null)).getStatus());
        assertEquals(Status.OUT_OF_SERVICE,
                SyncerHealthIndicator.health(view(ManagerState.CLOSED, Map.of(), Set.of(), Map.of(), null)).getStatus());
    }

    private static GroupHealth view(ManagerState state, Map<TopicPartition, PartitionFailure> failed,
                                    Set<TopicPartition> stalled, Map<String, SinkOutage> outages, String problem) {
        return new GroupHealth(state, Set.of(TP), Set.of(), failed, stalled, Map.of(), 7, 700, null, outages, problem);
    }
}
