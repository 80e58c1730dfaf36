package io.syncer.produce;

import io.syncer.internal.util.ConfigProperties;
import io.syncer.internal.util.Require;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * Immutable configuration of {@link KafkaProducers}. Kafka producer properties pass through
 * untouched, except the serializers (always byte arrays). Unless set by the user:
 * {@code acks=all}, {@code enable.idempotence=true}, {@code linger.ms} =
 * {@link #DEFAULT_LINGER} and {@code delivery.timeout.ms} = {@link #deliveryTimeout()}.
 * Build with {@link #builder()} or {@link #fromProperties} (keys {@value #PREFIX}…, Kafka keys
 * {@value #KAFKA_PREFIX}…).
 */
public final class KafkaProducersConfig {
    /** Prefix of this configuration's keys in a properties file. */
    public static final String PREFIX = "syncer.producer.";
    /** Prefix of pass-through Kafka producer keys in a properties file. */
    public static final String KAFKA_PREFIX = "kafka.producer.";
    /** Default {@link Builder#deliveryTimeout}: 2 min, Kafka's own default. */
    public static final Duration DEFAULT_DELIVERY_TIMEOUT = Duration.ofMinutes(2);
    /** Default {@code linger.ms}: 5 ms. */
    public static final Duration DEFAULT_LINGER = Duration.ofMillis(5);

    private final Map<String, Object> kafkaProperties;
    private final Duration deliveryTimeout;

    private KafkaProducersConfig(Builder b) {
        this.kafkaProperties = Collections.unmodifiableMap(new LinkedHashMap<>(b.kafkaProperties));
        this.deliveryTimeout = b.deliveryTimeout;
    }

    /**
     * A new builder with every default.
     *
     * @return the builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Builds from properties: {@code syncer.producer.bootstrap.servers},
     * {@code syncer.producer.delivery.timeout}; Kafka keys under {@value #KAFKA_PREFIX}.
     *
     * @param props the properties
     * @return the validated configuration
     * @throws IllegalArgumentException on an unknown {@code syncer.producer.} key or a bad value
     */
    public static KafkaProducersConfig fromProperties(Properties props) {
        Builder b = builder();
        binding(b).apply(props, b::kafkaProperties);
        return b.build();
    }

    /**
     * The keys {@link #fromProperties} accepts (with the {@value #PREFIX} prefix) and the kind of
     * value each takes; the configuration reference (docs/configuration.md) is generated from it.
     *
     * @return key to kind
     */
    public static Map<String, String> propertyKeys() {
        return binding(builder()).keys();
    }

    private static ConfigProperties binding(Builder b) {
        return new ConfigProperties(PREFIX, KAFKA_PREFIX)
                .string("bootstrap.servers", b::bootstrapServers)
                .duration("delivery.timeout", b::deliveryTimeout);
    }

    /** @return Kafka producer properties as given (unmodifiable) */
    public Map<String, Object> kafkaProperties() {
        return kafkaProperties;
    }

    /** @return how long a record may take from send to acknowledgement before it fails */
    public Duration deliveryTimeout() {
        return deliveryTimeout;
    }

    @Override
    public String toString() {
        return "KafkaProducersConfig{deliveryTimeout=" + deliveryTimeout + ", kafkaPropertyKeys=" + kafkaProperties.keySet() + '}';
    }

    /** Validating builder; not thread-safe. */
    public static final class Builder {
        private final Map<String, Object> kafkaProperties = new LinkedHashMap<>();
        private Duration deliveryTimeout = DEFAULT_DELIVERY_TIMEOUT;

        private Builder() {
        }

        /**
         * Shortcut for {@code bootstrap.servers}.
         *
         * @param bootstrapServers {@code host:port[,host:port]}
         * @return this builder
         */
        public Builder bootstrapServers(String bootstrapServers) {
            kafkaProperties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, Require.notBlank("bootstrapServers", bootstrapServers));
            return this;
        }

        /**
         * Adds Kafka producer properties.
         *
         * @param properties producer properties
         * @return this builder
         */
        public Builder kafkaProperties(Map<String, ?> properties) {
            Objects.requireNonNull(properties, "properties");
            properties.forEach((k, v) -> kafkaProperties.put(Objects.requireNonNull(k), Objects.requireNonNull(v, k)));
            return this;
        }

        /**
         * Sets one Kafka producer property.
         *
         * @param key the producer property key
         * @param value its value
         * @return this builder
         */
        public Builder kafkaProperty(String key, Object value) {
            kafkaProperties.put(Require.notBlank("key", key), Objects.requireNonNull(value, key));
            return this;
        }

        /**
         * Upper bound on the time from send to acknowledgement ({@code delivery.timeout.ms} unless
         * the Kafka properties set it); synchronous sends wait at most this long. Default
         * {@link #DEFAULT_DELIVERY_TIMEOUT} (2 min). Kafka requires it to be at least
         * {@code linger.ms + request.timeout.ms}.
         *
         * @param timeout positive
         * @return this builder
         */
        public Builder deliveryTimeout(Duration timeout) {
            this.deliveryTimeout = Require.positive("deliveryTimeout", timeout);
            return this;
        }

        /**
         * Validates and builds.
         *
         * @return the configuration
         * @throws IllegalArgumentException if {@code bootstrap.servers} is missing or idempotence is disabled
         *     together with transactions
         */
        public KafkaProducersConfig build() {
            Require.argument(kafkaProperties.containsKey(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG),
                    "bootstrap.servers is required (bootstrapServers(...) or kafkaProperties)");
            return new KafkaProducersConfig(this);
        }
    }
}
