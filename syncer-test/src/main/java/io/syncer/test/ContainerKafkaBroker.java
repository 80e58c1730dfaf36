package io.syncer.test;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * A single-node KRaft broker in a Docker container: Testcontainers' {@code KafkaContainer} on Apache's image (default
 * {@value ContainerSettings#DEFAULT_KAFKA_IMAGE}), with the same single-node settings as {@link EmbeddedKafkaBroker}.
 * {@link KafkaBrokerExtension} starts one when {@value ContainerSettings#SELECTION_ENV} asks for {@code kafka}; use
 * {@link #start()} outside JUnit.
 *
 * <p>Needs {@code org.testcontainers:testcontainers-kafka} (an optional dependency of syncer-test: declare it) and a
 * Docker engine. {@link #close()} closes the shared admin client and removes the container. Thread-safe.
 */
public final class ContainerKafkaBroker implements KafkaBroker, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ContainerKafkaBroker.class);

    private final KafkaContainer container;
    private final String image;
    private final String bootstrapServers;
    private final BrokerAdmin admin;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ContainerKafkaBroker(KafkaContainer container, String image) {
        this.container = container;
        this.image = image;
        this.bootstrapServers = container.getBootstrapServers();
        this.admin = new BrokerAdmin(bootstrapServers);
    }

    /**
     * Starts a broker from the image of {@link ContainerSettings#fromEnvironment()} and blocks until it is ready.
     *
     * @return the running broker; the caller closes it
     * @throws IllegalStateException if no Docker engine answers, Testcontainers is missing, or the broker does not
     *     start
     * @throws IllegalArgumentException if an image setting is not valid
     */
    public static ContainerKafkaBroker start() {
        return start(ContainerSettings.fromEnvironment().kafkaImage());
    }

    /**
     * Starts a broker from {@code image} and blocks until it is ready.
     *
     * @param image {@code apache/kafka} or {@code apache/kafka-native} with a tag, or a copy of one under another name
     * @return the running broker; the caller closes it
     * @throws IllegalStateException if no Docker engine answers, Testcontainers is missing, or the broker does not
     *     start
     * @throws IllegalArgumentException if {@code image} is not an image reference with a tag or digest
     */
    public static ContainerKafkaBroker start(String image) {
        String checked = ContainerSettings.requireImage(image, "Kafka");
        ContainerSelection.requireDocker(ContainerSettings.Service.KAFKA, "ContainerKafkaBroker.start",
                ContainerSelection.DOCKER);
        DockerImageName name = DockerImageName.parse(checked);
        if (!name.isCompatibleWith(DockerImageName.parse("apache/kafka"))
                && !name.isCompatibleWith(DockerImageName.parse("apache/kafka-native"))) {
            name = name.asCompatibleSubstituteFor("apache/kafka");
        }
        KafkaContainer container = new KafkaContainer(name).withEnv(environment(EmbeddedKafkaBroker.SINGLE_NODE_CONFIG));
        long startNanos = System.nanoTime();
        try {
            container.start();
        } catch (RuntimeException e) {
            container.stop();
            throw new IllegalStateException("the Kafka container " + checked + " did not start: " + e.getMessage(), e);
        }
        ContainerKafkaBroker broker = new ContainerKafkaBroker(container, checked);
        LOG.info("Kafka container {} ready at {} in {} ms", checked, broker.bootstrapServers,
                (System.nanoTime() - startNanos) / 1_000_000);
        return broker;
    }

    /** Broker settings as the image's environment: {@code a.b_c} becomes {@code KAFKA_A_B__C}. */
    static Map<String, String> environment(Map<String, String> brokerConfig) {
        Map<String, String> env = new java.util.LinkedHashMap<>();
        brokerConfig.forEach((key, value) -> env.put(
                "KAFKA_" + key.replace("_", "__").replace('.', '_').toUpperCase(Locale.ROOT), value));
        return env;
    }

    @Override
    public String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public Admin admin() {
        return admin;
    }

    /** @return the image the broker runs */
    public String image() {
        return image;
    }

    /** Closes the shared admin client and removes the container; idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                admin.closeOwned();
            } finally {
                container.stop();
            }
        }
    }

    @Override
    public String toString() {
        return "ContainerKafkaBroker[" + image + ", " + bootstrapServers + "]";
    }
}
