package io.syncer.test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.metadata.bootstrap.BootstrapMetadata;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-process Kafka broker: one combined KRaft broker and controller node on a random local port, with its data
 * in a temporary directory that {@link #close()} deletes. It runs the latest production metadata version of the
 * Kafka release on the classpath, like a freshly formatted standalone broker.
 *
 * <p>Start-up takes about 3 seconds, so share one instance per JVM; {@link KafkaBrokerExtension} does that for
 * JUnit 5 tests. Thread-safe.
 */
public final class EmbeddedKafkaBroker implements KafkaBroker, AutoCloseable {

    /**
     * Settings a single-node cluster needs: internal topics with one replica and one partition, and no delay
     * before the first group rebalance. Without the replication settings consumers hang without an error.
     */
    static final Map<String, String> SINGLE_NODE_CONFIG = Map.of(
            "group.initial.rebalance.delay.ms", "0",
            "offsets.topic.replication.factor", "1",
            "offsets.topic.num.partitions", "1",
            "transaction.state.log.replication.factor", "1",
            "transaction.state.log.min.isr", "1",
            "share.coordinator.state.topic.replication.factor", "1",
            "share.coordinator.state.topic.min.isr", "1");

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);

    private final KafkaClusterTestKit cluster;
    private final String bootstrapServers;
    private final BrokerAdmin admin;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedKafkaBroker(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
        this.bootstrapServers = cluster.bootstrapServers();
        this.admin = new BrokerAdmin(bootstrapServers);
    }

    /**
     * Starts a broker with the default single-node settings and blocks until it is ready.
     *
     * @return the running broker; the caller closes it
     * @throws IllegalStateException if the broker cannot start
     */
    public static EmbeddedKafkaBroker start() {
        return start(Map.of());
    }

    /**
     * Starts a broker and blocks until it is ready. The defaults are {@code group.initial.rebalance.delay.ms=0},
     * and replication factor 1, minimum ISR 1 and one {@code __consumer_offsets} partition for the internal topics.
     *
     * @param brokerOverrides broker configuration that replaces or adds to the defaults, for example
     *     {@code Map.of("auto.create.topics.enable", "false")}; listener, node and directory settings belong to the
     *     test kit and must not be overridden
     * @return the running broker; the caller closes it
     * @throws IllegalStateException if the broker cannot start (if interrupted, the interrupt flag is restored)
     */
    public static EmbeddedKafkaBroker start(Map<String, String> brokerOverrides) {
        Objects.requireNonNull(brokerOverrides, "brokerOverrides");
        Map<String, String> config = new LinkedHashMap<>(SINGLE_NODE_CONFIG);
        config.putAll(brokerOverrides);
        long startNanos = System.nanoTime();
        KafkaClusterTestKit cluster = null;
        try {
            KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .setBootstrapMetadata(productionFeatures())
                    .build());
            config.forEach(builder::setConfigProp);
            cluster = builder.build();
            KafkaClusterTestKit formatting = cluster;
            // Kafka's formatter prints to stdout; an application's output is not the place for it
            StdoutFilter.run(line -> line.startsWith("Bootstrap metadata:") || line.startsWith("Formatting "),
                    line -> LOG.debug("formatter: {}", line), () -> {
                formatting.format();
                return null;
            });
            cluster.startup();
            cluster.waitForReadyBrokers();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            IllegalStateException failure = new IllegalStateException("Could not start the embedded Kafka broker", e);
            if (cluster != null) {
                try {
                    cluster.close();
                } catch (Exception closeFailure) {
                    failure.addSuppressed(closeFailure);
                }
            }
            throw failure;
        }
        EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(cluster);
        LOG.info("Embedded Kafka broker ready at {} in {} ms", broker.bootstrapServers,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
        return broker;
    }

    /** {@inheritDoc} The host is {@code localhost} and the port is random. */
    @Override
    public String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public Admin admin() {
        return admin;
    }

    /**
     * Closes the shared admin client, shuts the broker down and deletes its data. Idempotent; blocks until done.
     *
     * @throws IllegalStateException if the broker does not shut down cleanly
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long startNanos = System.nanoTime();
        admin.closeOwned();
        try {
            cluster.close();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("Could not shut down the embedded Kafka broker at " + bootstrapServers, e);
        }
        LOG.info("Embedded Kafka broker at {} stopped in {} ms", bootstrapServers,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
    }

    /**
     * The latest production metadata version with every production feature at its latest
     * production level, as {@code kafka-storage format} gives a real 4.3.1 broker. The test kit's own
     * default leaves features such as {@code group.version} at 0, which disables the KIP-848
     * consumer group protocol.
     */
    private static BootstrapMetadata productionFeatures() {
        Map<String, Short> features = new LinkedHashMap<>();
        for (Feature feature : Feature.PRODUCTION_FEATURES) {
            if (feature != Feature.KRAFT_VERSION) {
                features.put(feature.featureName(), feature.latestProduction());
            }
        }
        return BootstrapMetadata.fromVersions(MetadataVersion.latestProduction(), features, "syncer-test");
    }
}
