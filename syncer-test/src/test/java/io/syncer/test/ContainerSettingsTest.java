package io.syncer.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.syncer.test.ContainerSettings.Service;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class ContainerSettingsTest {

    private final Map<String, String> properties = new HashMap<>();
    private final Map<String, String> environment = new HashMap<>();

    private ContainerSettings read() {
        return ContainerSettings.from(properties::get, environment::get);
    }

    @ParameterizedTest
    @ValueSource(strings = {"true", "all", "TRUE", " All ", "ALL"})
    void trueAndAllAskForEveryService(String value) {
        assertEquals(EnumSet.allOf(Service.class), ContainerSettings.parseServices(value, "X"));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"false", "none", "  ", "NONE", "False"})
    void falseNoneAndBlankAskForNothing(String value) {
        assertEquals(Set.of(), ContainerSettings.parseServices(value, "X"));
    }

    @Test
    void eachServiceByItsKey() {
        assertEquals(Set.of(Service.KAFKA), ContainerSettings.parseServices("kafka", "X"));
        assertEquals(Set.of(Service.OPENSEARCH), ContainerSettings.parseServices("opensearch", "X"));
        assertEquals(Set.of(Service.CLICKHOUSE), ContainerSettings.parseServices("clickhouse", "X"));
        assertEquals("kafka", Service.KAFKA.key());
    }

    @Test
    void commaListsIgnoreCaseSpacesAndRepeats() {
        assertEquals(Set.of(Service.KAFKA, Service.CLICKHOUSE),
                ContainerSettings.parseServices(" KAFKA , clickhouse,kafka ", "X"));
        assertEquals(EnumSet.allOf(Service.class),
                ContainerSettings.parseServices("kafka,opensearch,clickhouse", "X"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"yes", "1", "docker", "kafka,", ",kafka", "kafka;opensearch", "all,kafka", "elastic",
        "kafka,,clickhouse"})
    void badValuesNameTheSourceTheItemAndTheAcceptedValues(String value) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ContainerSettings.parseServices(value, "the environment variable SYNCER_TESTCONTAINERS=" + value));
        assertTrue(e.getMessage().contains("SYNCER_TESTCONTAINERS=" + value), e.getMessage());
        assertTrue(e.getMessage().contains("expected true, all, false, none, or a comma list of kafka, opensearch,"
                + " clickhouse"), e.getMessage());
    }

    @Test
    void badItemIsQuoted() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ContainerSettings.parseServices("kafka,postgres", "X"));
        assertTrue(e.getMessage().contains("'postgres' is not a service"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ContainerSettings.parseServices("kafka,", "X"));
        assertTrue(e.getMessage().contains("an empty item"), e.getMessage());
    }

    @Test
    void nothingSetAsksForNothingWithDefaultImages() {
        ContainerSettings settings = read();

        assertEquals(Set.of(), settings.services());
        for (Service service : Service.values()) {
            assertFalse(settings.requested(service));
        }
        assertEquals("not asked for", settings.source());
        assertEquals("apache/kafka:4.1.0", settings.kafkaImage());
        assertEquals("opensearchproject/opensearch:2.19.6", settings.openSearchImage());
        assertEquals("clickhouse/clickhouse-server:25.8", settings.clickHouseImage());
        assertEquals(settings.kafkaImage(), settings.image(Service.KAFKA));
        assertEquals(settings.openSearchImage(), settings.image(Service.OPENSEARCH));
        assertEquals(settings.clickHouseImage(), settings.image(Service.CLICKHOUSE));
    }

    @Test
    void defaultsAreTheNamedConstants() {
        ContainerSettings defaults = ContainerSettings.ofDefaults();

        assertEquals(ContainerSettings.DEFAULT_KAFKA_IMAGE, defaults.kafkaImage());
        assertEquals(ContainerSettings.DEFAULT_OPENSEARCH_IMAGE, defaults.openSearchImage());
        assertEquals(ContainerSettings.DEFAULT_CLICKHOUSE_IMAGE, defaults.clickHouseImage());
        assertTrue(ContainerSettings.DEFAULT_OPENSEARCH_IMAGE.endsWith(":" + OpenSearchNode.DEFAULT_VERSION),
                "the container runs the child node's server version");
    }

    @Test
    void environmentVariableSelects() {
        environment.put("SYNCER_TESTCONTAINERS", "kafka,clickhouse");

        ContainerSettings settings = read();

        assertEquals(Set.of(Service.KAFKA, Service.CLICKHOUSE), settings.services());
        assertEquals("the environment variable SYNCER_TESTCONTAINERS=kafka,clickhouse", settings.source());
    }

    @Test
    void systemPropertyWinsOverTheEnvironmentVariable() {
        environment.put("SYNCER_TESTCONTAINERS", "all");
        properties.put("syncer.testcontainers", "opensearch");

        ContainerSettings settings = read();

        assertEquals(Set.of(Service.OPENSEARCH), settings.services());
        assertEquals("the system property syncer.testcontainers=opensearch", settings.source());
    }

    @Test
    void blankPropertyFallsBackToTheVariable() {
        environment.put("SYNCER_TESTCONTAINERS", "true");
        properties.put("syncer.testcontainers", " ");

        assertEquals(EnumSet.allOf(Service.class), read().services());
    }

    @Test
    void badEnvironmentValueNamesTheVariable() {
        environment.put("SYNCER_TESTCONTAINERS", "yes please");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, this::read);
        assertTrue(e.getMessage().contains("the environment variable SYNCER_TESTCONTAINERS=yes please"), e.getMessage());
    }

    @Test
    void badPropertyValueNamesTheProperty() {
        properties.put("syncer.testcontainers", "kafak");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, this::read);
        assertTrue(e.getMessage().contains("the system property syncer.testcontainers=kafak"), e.getMessage());
        assertTrue(e.getMessage().contains("'kafak' is not a service"), e.getMessage());
    }

    @Test
    void imagesFromEnvironmentVariables() {
        environment.put("SYNCER_KAFKA_IMAGE", "apache/kafka-native:4.1.0");
        environment.put("SYNCER_OPENSEARCH_IMAGE", "opensearchproject/opensearch:3.3.0");
        environment.put("SYNCER_CLICKHOUSE_IMAGE", " clickhouse/clickhouse-server:25.3-alpine ");

        ContainerSettings settings = read();

        assertEquals("apache/kafka-native:4.1.0", settings.kafkaImage());
        assertEquals("opensearchproject/opensearch:3.3.0", settings.openSearchImage());
        assertEquals("clickhouse/clickhouse-server:25.3-alpine", settings.clickHouseImage());
    }

    @Test
    void imagePropertiesWinOverVariables() {
        environment.put("SYNCER_KAFKA_IMAGE", "apache/kafka:4.0.0");
        properties.put("syncer.kafka.image", "mirror.example.com:5000/apache/kafka:4.1.0");
        environment.put("SYNCER_OPENSEARCH_IMAGE", "opensearchproject/opensearch:2.18.0");
        properties.put("syncer.opensearch.image", "opensearchproject/opensearch:2.19.6");
        environment.put("SYNCER_CLICKHOUSE_IMAGE", "clickhouse/clickhouse-server:24.8");
        properties.put("syncer.clickhouse.image", "clickhouse/clickhouse-server@sha256:" + "a".repeat(64));

        ContainerSettings settings = read();

        assertEquals("mirror.example.com:5000/apache/kafka:4.1.0", settings.kafkaImage());
        assertEquals("opensearchproject/opensearch:2.19.6", settings.openSearchImage());
        assertEquals("clickhouse/clickhouse-server@sha256:" + "a".repeat(64), settings.clickHouseImage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"apache/kafka", "localhost:5000/apache/kafka", "Apache/Kafka:4.1.0", "apache kafka:4.1.0",
        "apache/kafka:", "apache/kafka:4.1.0 extra", ":4.1.0", "apache//kafka:1", "apache/kafka@sha256:123"})
    void badImagesAreRejectedAtOnce(String image) {
        assertThrows(IllegalArgumentException.class, () -> ContainerSettings.builder().kafkaImage(image));
        environment.put("SYNCER_CLICKHOUSE_IMAGE", image);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, this::read);
        assertTrue(e.getMessage().contains("ClickHouse"), e.getMessage());
    }

    @Test
    void anImageWithoutATagSaysToPinOne() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ContainerSettings.builder().openSearchImage("opensearchproject/opensearch"));
        assertTrue(e.getMessage().contains("names no tag"), e.getMessage());
        assertThrows(NullPointerException.class, () -> ContainerSettings.builder().clickHouseImage(null));
    }

    @Test
    void builderSetsEverything() {
        ContainerSettings settings = ContainerSettings.builder()
                .services(Service.KAFKA, Service.OPENSEARCH)
                .kafkaImage("apache/kafka:4.0.0")
                .openSearchImage("opensearchproject/opensearch:3.3.0")
                .clickHouseImage("clickhouse/clickhouse-server:25.8.2.29")
                .build();

        assertEquals(Set.of(Service.KAFKA, Service.OPENSEARCH), settings.services());
        assertTrue(settings.requested(Service.KAFKA));
        assertFalse(settings.requested(Service.CLICKHOUSE));
        assertEquals("ContainerSettings.builder()", settings.source());
        assertEquals("apache/kafka:4.0.0", settings.kafkaImage());
        assertEquals("clickhouse/clickhouse-server:25.8.2.29", settings.clickHouseImage());
        assertThrows(UnsupportedOperationException.class, () -> settings.services().add(Service.CLICKHOUSE));
        assertTrue(settings.toString().contains("apache/kafka:4.0.0"), settings.toString());
    }

    @Test
    void kafkaSettingsBecomeTheImagesEnvironment() {
        Map<String, String> env = ContainerKafkaBroker.environment(Map.of(
                "offsets.topic.replication.factor", "1", "group.initial.rebalance.delay.ms", "0",
                "share.coordinator.state.topic.min.isr", "1", "a.b_c", "x"));

        assertEquals("1", env.get("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"));
        assertEquals("0", env.get("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS"));
        assertEquals("1", env.get("KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR"));
        assertEquals("x", env.get("KAFKA_A_B__C"));
    }
}
