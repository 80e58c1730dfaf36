package io.syncer.internal.consume;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.syncer.SyncerException;
import io.syncer.consume.ConsumerGroupConfig;
import io.syncer.consume.ConsumerGroupManager;
import io.syncer.consume.DrainMode;
import io.syncer.consume.GroupHealth;
import io.syncer.consume.ManagerState;
import io.syncer.produce.KafkaProducers;
import io.syncer.produce.KafkaProducersConfig;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 16, item 1: a wrong bootstrap address never failed. health() stayed STARTING and healthy forever and the
 * producer blamed the topic. A real client against a port nothing listens on: no broker needed.
 */
@Timeout(60)
class UnreachableClusterTest {
    private static String deadAddress() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return "localhost:" + s.getLocalPort(); // closed again: nothing listens there
        }
    }

    @Test
    void aWrongBootstrapAddressTurnsHealthDegradedWithTheReasonAndFailsAwaitRunning() throws Exception {
        String address = deadAddress();
        ConsumerGroupManager manager = ConsumerGroupManager.create(ConsumerGroupConfig.builder().groupId("g").topics("logs")
                .bootstrapServers(address).joinTimeout(Duration.ofSeconds(1)).build(), (session, claim) -> { });
        try {
            manager.start();
            assertEquals(ManagerState.STARTING, manager.health().state(), "within the join timeout it is only starting");
            await().atMost(Duration.ofSeconds(15)).until(() -> manager.health().startupProblem() != null);
            GroupHealth h = manager.health();
            assertEquals(ManagerState.DEGRADED, h.state());
            assertFalse(h.isHealthy());
            assertTrue(h.startupProblem().contains("cannot reach bootstrap.servers=" + address), h.startupProblem());
            SyncerException e = assertThrows(SyncerException.class, () -> manager.awaitRunning(Duration.ofMillis(500)));
            assertTrue(e.getMessage().contains("did not join its group") && e.getMessage().contains(address), e.getMessage());
        } finally {
            manager.close(Duration.ofSeconds(10), DrainMode.ABANDON);
        }
    }

    @Test
    void aSendToAnUnreachableClusterNamesTheAddressNotTheTopic() throws Exception {
        String address = deadAddress();
        try (KafkaProducers producers = KafkaProducers.create(KafkaProducersConfig.builder().bootstrapServers(address)
                .kafkaProperty("max.block.ms", 1_000).build())) {
            SyncerException e = assertThrows(SyncerException.class, () -> producers.send("logs", null, new byte[1]));
            assertTrue(e.getMessage().contains("cannot reach bootstrap.servers=" + address), e.getMessage());
        }
    }
}
