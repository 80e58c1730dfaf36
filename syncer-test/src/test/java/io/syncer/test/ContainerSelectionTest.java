package io.syncer.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.syncer.test.ContainerSettings.Service;
import io.syncer.test.KafkaBrokerExtension.Choice;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ContainerSelectionTest {

    private static final BooleanSupplier NEVER_ASKED = () -> fail("the Docker check must not run unless asked for");
    private static final BooleanSupplier NO_DOCKER = () -> false;
    private static final BooleanSupplier DOCKER = () -> true;

    private static ContainerSettings fromEnv(String value) {
        return ContainerSettings.from(key -> null, key -> ContainerSettings.SELECTION_ENV.equals(key) ? value : null);
    }

    @ParameterizedTest
    @EnumSource(Service.class)
    void notAskedForNeverChecksDocker(Service service) {
        assertFalse(ContainerSelection.use(ContainerSettings.ofDefaults(), service, NEVER_ASKED));
        assertFalse(ContainerSelection.use(fromEnv("false"), service, NEVER_ASKED));
    }

    @ParameterizedTest
    @EnumSource(Service.class)
    void askedForWithDockerUsesTheContainer(Service service) {
        assertTrue(ContainerSelection.use(fromEnv("all"), service, DOCKER));
        assertTrue(ContainerSelection.use(fromEnv(service.key()), service, DOCKER));
    }

    @Test
    void onlyTheListedServicesAreContainers() {
        ContainerSettings settings = fromEnv("kafka");

        assertTrue(ContainerSelection.use(settings, Service.KAFKA, DOCKER));
        assertFalse(ContainerSelection.use(settings, Service.OPENSEARCH, NEVER_ASKED));
        assertFalse(ContainerSelection.use(settings, Service.CLICKHOUSE, NEVER_ASKED));
    }

    @ParameterizedTest
    @EnumSource(Service.class)
    void askedForWithoutDockerFailsLoudlyNamingTheVariable(Service service) {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ContainerSelection.use(fromEnv("all"), service, NO_DOCKER));

        assertEquals("A container for " + service.key() + " was asked for (the environment variable"
                + " SYNCER_TESTCONTAINERS=all), but no Docker engine answered. Start Docker, or point DOCKER_HOST at a"
                + " reachable engine; or unset SYNCER_TESTCONTAINERS (and -Dsyncer.testcontainers) to use the"
                + " in-process and child-process fixtures. Tests are never skipped and never fall back to them"
                + " silently.", e.getMessage());
    }

    @Test
    void theDockerCheckRunsOncePerDecision() {
        AtomicInteger calls = new AtomicInteger();
        ContainerSelection.use(fromEnv("clickhouse"), Service.CLICKHOUSE, () -> calls.incrementAndGet() > 0);
        assertEquals(1, calls.get());
    }

    @Test
    void kafkaExtensionChoosesEmbeddedExternalOrContainer() {
        assertEquals(Choice.EMBEDDED, KafkaBrokerExtension.choose(null, ContainerSettings.ofDefaults(), NEVER_ASKED));
        assertEquals(Choice.EXTERNAL, KafkaBrokerExtension.choose("h:9092", ContainerSettings.ofDefaults(), NEVER_ASKED));
        assertEquals(Choice.EXTERNAL, KafkaBrokerExtension.choose("h:9092", fromEnv("opensearch"), NEVER_ASKED));
        assertEquals(Choice.CONTAINER, KafkaBrokerExtension.choose(null, fromEnv("kafka"), DOCKER));
        IllegalStateException noDocker = assertThrows(IllegalStateException.class,
                () -> KafkaBrokerExtension.choose(null, fromEnv("true"), NO_DOCKER));
        assertTrue(noDocker.getMessage().contains("SYNCER_TESTCONTAINERS"), noDocker.getMessage());
        assertTrue(noDocker.getMessage().contains("no Docker engine answered"), noDocker.getMessage());
    }

    @Test
    void kafkaContainerAndExternalClusterTogetherIsAnError() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> KafkaBrokerExtension.choose("h:9092", fromEnv("kafka"), NEVER_ASKED));
        assertTrue(e.getMessage().contains("SYNCER_KAFKA_BOOTSTRAP_SERVERS"), e.getMessage());
        assertTrue(e.getMessage().contains("SYNCER_TESTCONTAINERS=kafka"), e.getMessage());
    }

    @Test
    void openSearchExtensionSelection() {
        assertFalse(OpenSearchExtension.useContainer(ContainerSettings.ofDefaults(), NEVER_ASKED));
        assertTrue(OpenSearchExtension.useContainer(fromEnv("opensearch"), DOCKER));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> OpenSearchExtension.useContainer(fromEnv("opensearch"), NO_DOCKER));
        assertTrue(e.getMessage().startsWith("A container for opensearch was asked for"), e.getMessage());
    }

    @Test
    void clickHouseSelection() {
        assertFalse(ClickHouseServer.useContainer(null, ContainerSettings.ofDefaults(), NEVER_ASKED));
        assertFalse(ClickHouseServer.useContainer("http://h:8123", fromEnv("kafka"), NEVER_ASKED));
        assertTrue(ClickHouseServer.useContainer(" ", fromEnv("clickhouse"), DOCKER));
        assertThrows(IllegalStateException.class,
                () -> ClickHouseServer.useContainer(null, fromEnv("clickhouse"), NO_DOCKER));
        IllegalStateException both = assertThrows(IllegalStateException.class,
                () -> ClickHouseServer.useContainer("http://h:8123", fromEnv("all"), NEVER_ASKED));
        assertTrue(both.getMessage().contains("SYNCER_CLICKHOUSE_URL=http://h:8123"), both.getMessage());
    }

    @Test
    void directFactoriesCheckTheImageBeforeDocker() {
        assertThrows(IllegalArgumentException.class, () -> OpenSearchNode.startContainer("opensearch"));
        assertThrows(IllegalArgumentException.class, () -> ClickHouseServer.startContainer("clickhouse-server"));
        assertThrows(IllegalArgumentException.class, () -> ContainerKafkaBroker.start("Kafka:latest"));
    }

    /**
     * The real check, through Testcontainers. This machine may or may not run a Docker engine: the check must answer
     * (not throw, not hang), and where nothing Testcontainers looks at exists, it must answer {@code false}.
     */
    @Test
    void theRealCheckAnswers() {
        boolean reachable = assertTimeoutPreemptively(Duration.ofSeconds(60), ContainerSelection.DOCKER::getAsBoolean);

        Path home = Path.of(System.getProperty("user.home"));
        boolean nothingToFind = System.getenv("DOCKER_HOST") == null
                && !Files.exists(Path.of("/var/run/docker.sock"))
                && !Files.exists(home.resolve(".docker/run/docker.sock"))
                && !Files.exists(home.resolve(".docker/desktop/docker.sock"))
                && !Files.exists(home.resolve(".colima"))
                && !Files.exists(home.resolve(".testcontainers.properties"));
        if (nothingToFind) {
            assertFalse(reachable, "no DOCKER_HOST, no socket, no Testcontainers configuration, yet Docker answered");
        }
        System.out.println("ContainerSelectionTest: a Docker engine " + (reachable ? "answered" : "did not answer")
                + (nothingToFind ? " (nothing to find here)" : ""));
    }
}
