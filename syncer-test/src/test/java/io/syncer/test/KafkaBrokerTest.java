package io.syncer.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KafkaBrokerTest {

    @Test
    void uniqueNameIsPrefixCounterAndRandomSuffix() {
        String name = KafkaBroker.uniqueName("orders.v1_x");

        assertTrue(name.matches("orders\\.v1_x-\\d+-[0-9a-f]{6}"), name);
    }

    @Test
    void uniqueNamesDiffer() {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            names.add(KafkaBroker.uniqueName("t"));
        }
        assertEquals(1000, names.size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "has space", "slash/", "ümlaut"})
    void uniqueNameRejectsInvalidPrefixes(String prefix) {
        assertThrows(IllegalArgumentException.class, () -> KafkaBroker.uniqueName(prefix));
    }

    @Test
    void uniqueNameRejectsLongPrefixesAndNull() {
        assertTrue(KafkaBroker.uniqueName("a".repeat(200)).length() <= 249, "Kafka's topic name limit");
        assertThrows(IllegalArgumentException.class, () -> KafkaBroker.uniqueName("a".repeat(201)));
        assertThrows(NullPointerException.class, () -> KafkaBroker.uniqueName(null));
    }

    @Test
    void clientPropertiesAreAFreshMutableCopy() {
        KafkaBroker broker = new KafkaBroker() {
            @Override
            public String bootstrapServers() {
                return "host:9092";
            }

            @Override
            public Admin admin() {
                throw new UnsupportedOperationException();
            }
        };

        Map<String, Object> first = broker.clientProperties();
        first.put("client.id", "changed");

        assertEquals(Map.of("bootstrap.servers", "host:9092"), broker.clientProperties());
        assertNotSame(first, broker.clientProperties());
    }

    @Test
    void createTopicRejectsZeroPartitionsBeforeCallingTheBroker() {
        assertThrows(IllegalArgumentException.class,
                () -> BrokerAdmin.createTopic(null, "topic", 0, KafkaBroker.CREATE_TOPIC_TIMEOUT));
    }

    @Test
    void systemPropertyWinsOverEnvironmentAndBlankMeansUnset() {
        assertEquals("p:1", KafkaBrokerExtension.externalBootstrapServers(" p:1 ", "e:2"));
        assertEquals("e:2", KafkaBrokerExtension.externalBootstrapServers("  ", "e:2"));
        assertNull(KafkaBrokerExtension.externalBootstrapServers(null, ""));
    }

    @Test
    void childProcessBrokerRejectsReservedOverridesWithoutStarting() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ChildProcessKafkaBroker.start(Map.of("listeners", "PLAINTEXT://:1", "log.dirs", "/tmp")));
        assertTrue(e.getMessage().contains("[listeners, log.dirs]"), e.getMessage());
    }
}
