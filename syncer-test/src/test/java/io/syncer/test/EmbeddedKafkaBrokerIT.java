package io.syncer.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@WithKafka
@Timeout(120)
class EmbeddedKafkaBrokerIT {

    private static KafkaBroker beforeAllBroker;

    private final KafkaBroker broker;

    EmbeddedKafkaBrokerIT(KafkaBroker broker) {
        this.broker = broker;
    }

    @BeforeAll
    static void rememberBroker(KafkaBroker kafka) {
        beforeAllBroker = kafka;
    }

    @Test
    void recordsProducedToAllPartitionsAreReadBack() throws Exception {
        String topic = KafkaBroker.uniqueName("embedded-it");
        broker.createTopic(topic, 3);

        TestRecords.produce(broker, topic, 30);
        List<ConsumerRecord<String, String>> records = TestRecords.readAll(broker, topic, 3, 30);

        assertEquals(new TreeSet<>(TestRecords.values(30)),
                records.stream().map(ConsumerRecord::value).collect(Collectors.toCollection(TreeSet::new)));
        assertEquals(Set.of(0, 1, 2), records.stream().map(ConsumerRecord::partition).collect(Collectors.toSet()));
    }

    @Test
    void constructorLifecycleAndTestMethodShareOneBroker(KafkaBroker methodBroker) {
        assertSame(broker, methodBroker);
        assertSame(broker, beforeAllBroker);
        assertTrue(broker.bootstrapServers().contains(":"), broker.bootstrapServers());
    }

    @Test
    void closingTheSharedAdminIsIgnored() throws Exception {
        broker.admin().close();

        assertFalse(broker.admin().describeCluster().nodes().get().isEmpty());
    }

    @Test
    void creatingAnExistingTopicFailsWithItsName() {
        String topic = KafkaBroker.uniqueName("embedded-it-twice");
        broker.createTopic(topic, 1);

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> broker.createTopic(topic, 1));
        assertTrue(e.getMessage().contains(topic), e.getMessage());
    }

    @Nested
    class AnotherTestClass {

        @Test
        void getsTheSameBroker(KafkaBroker nestedBroker) {
            assertSame(broker, nestedBroker);
            assertEquals(beforeAllBroker.bootstrapServers(), nestedBroker.bootstrapServers());
        }
    }
}
