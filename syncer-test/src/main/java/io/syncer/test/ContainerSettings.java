package io.syncer.test;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * Which fixtures run in Docker containers (through Testcontainers) instead of in process or as child processes, and
 * which images they run. Immutable and thread-safe; built by {@link #builder()} or read by {@link #fromEnvironment()}.
 *
 * <p><strong>Containers are used only when asked for.</strong> The in-process broker and the child-process OpenSearch
 * node and ClickHouse server stay the default, because they are what CI runs. A test run asks for containers with the
 * system property {@value #SELECTION_PROPERTY} or, failing that, the environment variable {@value #SELECTION_ENV}:
 * {@code true} or {@code all} for every fixture, {@code false} or {@code none} (or blank) for none, or a comma list of
 * {@code kafka}, {@code opensearch} and {@code clickhouse} (case and spaces ignored). Any other value is an error.
 * When containers are asked for and no Docker engine answers, {@link KafkaBrokerExtension},
 * {@link OpenSearchExtension}, {@link ClickHouseExtension} and {@link ClickHouseServer#startOrExternal()} throw an
 * {@link IllegalStateException} that names {@value #SELECTION_ENV}: tests are never skipped and never fall back
 * silently to the other fixtures.
 *
 * <p>Images default to {@link #DEFAULT_KAFKA_IMAGE}, {@link #DEFAULT_OPENSEARCH_IMAGE} and
 * {@link #DEFAULT_CLICKHOUSE_IMAGE}; each can be replaced by a system property or environment variable (for example
 * {@value #KAFKA_IMAGE_PROPERTY} / {@value #KAFKA_IMAGE_ENV}), the property winning. An image must name a tag or a
 * digest, so a run is repeatable.
 *
 * <p>Testcontainers is an <em>optional</em> dependency of syncer-test: a build that asks for containers declares
 * {@code org.testcontainers:testcontainers}, {@code org.testcontainers:testcontainers-kafka} and
 * {@code org.opensearch:opensearch-testcontainers} itself. This class and the selection never load a Testcontainers
 * class; only a fixture that was asked for does.
 */
public final class ContainerSettings {

    /** Environment variable that asks for containers: {@code true}/{@code all}, or e.g. {@code kafka,clickhouse}. */
    public static final String SELECTION_ENV = "SYNCER_TESTCONTAINERS";
    /** System property that asks for containers, same values as {@value #SELECTION_ENV}; it wins over the variable. */
    public static final String SELECTION_PROPERTY = "syncer.testcontainers";

    /** Environment variable: the Kafka image, default {@value #DEFAULT_KAFKA_IMAGE}. */
    public static final String KAFKA_IMAGE_ENV = "SYNCER_KAFKA_IMAGE";
    /** System property: the Kafka image; it wins over {@value #KAFKA_IMAGE_ENV}. */
    public static final String KAFKA_IMAGE_PROPERTY = "syncer.kafka.image";
    /** Environment variable: the OpenSearch image, default {@value #DEFAULT_OPENSEARCH_IMAGE}. */
    public static final String OPENSEARCH_IMAGE_ENV = "SYNCER_OPENSEARCH_IMAGE";
    /** System property: the OpenSearch image; it wins over {@value #OPENSEARCH_IMAGE_ENV}. */
    public static final String OPENSEARCH_IMAGE_PROPERTY = "syncer.opensearch.image";
    /** Environment variable: the ClickHouse image, default {@value #DEFAULT_CLICKHOUSE_IMAGE}. */
    public static final String CLICKHOUSE_IMAGE_ENV = "SYNCER_CLICKHOUSE_IMAGE";
    /** System property: the ClickHouse image; it wins over {@value #CLICKHOUSE_IMAGE_ENV}. */
    public static final String CLICKHOUSE_IMAGE_PROPERTY = "syncer.clickhouse.image";

    /** The Kafka image: Apache's own KRaft image, run by Testcontainers' {@code KafkaContainer}. */
    public static final String DEFAULT_KAFKA_IMAGE = "apache/kafka:4.1.0";
    /**
     * The OpenSearch image: the same server version as the child-process node ({@value OpenSearchNode#DEFAULT_VERSION}),
     * run with the security plugin disabled (plain HTTP, like the child node).
     */
    public static final String DEFAULT_OPENSEARCH_IMAGE = "opensearchproject/opensearch:" + OpenSearchNode.DEFAULT_VERSION;
    /** The ClickHouse image: a modern LTS branch (the child-process server is Debian's 18.16). */
    public static final String DEFAULT_CLICKHOUSE_IMAGE = "clickhouse/clickhouse-server:25.8";

    /** The services nothing asked for containers for: {@link #fromEnvironment()} with neither setting. */
    private static final String NOT_ASKED = "not asked for";

    /** {@code [registry[:port]/]name[/name...][:tag][@sha256:digest]}, lower-case names as Docker requires. */
    private static final Pattern IMAGE = Pattern.compile(
            "(?:[A-Za-z0-9.-]+(?::[0-9]+)?/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*"
                    + "(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?");

    /** A fixture that can run in a container. */
    public enum Service {
        /** The Kafka broker of {@link KafkaBrokerExtension}. */
        KAFKA("kafka"),
        /** The OpenSearch node of {@link OpenSearchExtension}. */
        OPENSEARCH("opensearch"),
        /** The ClickHouse server of {@link ClickHouseExtension} and {@link ClickHouseServer#startOrExternal()}. */
        CLICKHOUSE("clickhouse");

        private final String key;

        Service(String key) {
            this.key = key;
        }

        /** @return the name used in {@value ContainerSettings#SELECTION_ENV}, e.g. {@code kafka} */
        public String key() {
            return key;
        }
    }

    private final Set<Service> services;
    private final String kafkaImage;
    private final String openSearchImage;
    private final String clickHouseImage;
    private final String source;

    private ContainerSettings(Builder builder) {
        this.services = Collections.unmodifiableSet(builder.services.isEmpty()
                ? EnumSet.noneOf(Service.class) : EnumSet.copyOf(builder.services));
        this.kafkaImage = builder.kafkaImage;
        this.openSearchImage = builder.openSearchImage;
        this.clickHouseImage = builder.clickHouseImage;
        this.source = builder.source;
    }

    /** @return settings that ask for no container, with the default images */
    public static ContainerSettings ofDefaults() {
        return builder().build();
    }

    /** @return a builder that starts from {@link #ofDefaults()} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reads the settings from this JVM's system properties and environment (properties win), as described in the
     * class comment. Reads them anew on every call.
     *
     * @return the settings
     * @throws IllegalArgumentException if a value is not valid; the message names the property or variable and the
     *     values it accepts
     */
    public static ContainerSettings fromEnvironment() {
        return from(System::getProperty, System::getenv);
    }

    /** {@link #fromEnvironment()} over any lookup, for tests. */
    static ContainerSettings from(UnaryOperator<String> properties, UnaryOperator<String> environment) {
        Builder builder = builder();
        String property = properties.apply(SELECTION_PROPERTY);
        if (property != null && !property.isBlank()) {
            String where = "the system property " + SELECTION_PROPERTY + "=" + property.strip();
            builder.services(parseServices(property, where)).source(where);
        } else {
            String variable = environment.apply(SELECTION_ENV);
            if (variable != null && !variable.isBlank()) {
                String where = "the environment variable " + SELECTION_ENV + "=" + variable.strip();
                builder.services(parseServices(variable, where)).source(where);
            }
        }
        String kafka = lookup(properties, KAFKA_IMAGE_PROPERTY, environment, KAFKA_IMAGE_ENV);
        if (kafka != null) {
            builder.kafkaImage(kafka);
        }
        String openSearch = lookup(properties, OPENSEARCH_IMAGE_PROPERTY, environment, OPENSEARCH_IMAGE_ENV);
        if (openSearch != null) {
            builder.openSearchImage(openSearch);
        }
        String clickHouse = lookup(properties, CLICKHOUSE_IMAGE_PROPERTY, environment, CLICKHOUSE_IMAGE_ENV);
        if (clickHouse != null) {
            builder.clickHouseImage(clickHouse);
        }
        return builder.build();
    }

    private static String lookup(UnaryOperator<String> properties, String property, UnaryOperator<String> environment,
            String variable) {
        String value = properties.apply(property);
        if (value != null && !value.isBlank()) {
            return value.strip();
        }
        value = environment.apply(variable);
        return value != null && !value.isBlank() ? value.strip() : null;
    }

    /**
     * Parses a value of {@value #SELECTION_ENV}: {@code true} or {@code all} for every service, {@code false},
     * {@code none} or blank for none, else a comma list of service keys ({@code kafka}, {@code opensearch},
     * {@code clickhouse}); case and spaces around items are ignored, repeated items are allowed.
     *
     * @param value the value; {@code null} means none
     * @param where where the value came from, for the error message, e.g. {@code SYNCER_TESTCONTAINERS}
     * @return the services asked for, an unmodifiable set
     * @throws IllegalArgumentException if an item is empty or not a service key, naming {@code where}, the item and
     *     the accepted values
     */
    public static Set<Service> parseServices(String value, String where) {
        if (value == null || value.isBlank()) {
            return Collections.unmodifiableSet(EnumSet.noneOf(Service.class));
        }
        String whole = value.strip().toLowerCase(Locale.ROOT);
        if (whole.equals("true") || whole.equals("all")) {
            return Collections.unmodifiableSet(EnumSet.allOf(Service.class));
        }
        if (whole.equals("false") || whole.equals("none")) {
            return Collections.unmodifiableSet(EnumSet.noneOf(Service.class));
        }
        Set<Service> services = EnumSet.noneOf(Service.class);
        for (String item : whole.split(",", -1)) {
            String key = item.strip();
            Service match = null;
            for (Service service : Service.values()) {
                if (service.key.equals(key)) {
                    match = service;
                }
            }
            if (match == null) {
                throw new IllegalArgumentException("bad value '" + value.strip() + "' in " + where + ": "
                        + (key.isEmpty() ? "an empty item" : "'" + key + "'") + " is not a service; expected true,"
                        + " all, false, none, or a comma list of kafka, opensearch, clickhouse");
            }
            services.add(match);
        }
        return Collections.unmodifiableSet(services);
    }

    /**
     * Checks an image reference: {@code [registry[:port]/]name[:tag][@sha256:digest]} with a tag or a digest.
     *
     * @param image the reference, e.g. {@code apache/kafka:4.1.0}
     * @param what what it is for, for the message
     * @return the reference, stripped
     * @throws IllegalArgumentException if it is blank, malformed or has neither a tag nor a digest
     * @throws NullPointerException if {@code image} is {@code null}
     */
    static String requireImage(String image, String what) {
        Objects.requireNonNull(image, what);
        String stripped = image.strip();
        if (!IMAGE.matcher(stripped).matches()) {
            throw new IllegalArgumentException("not a Docker image reference for " + what + ": '" + image
                    + "' (expected [registry/]name:tag or name@sha256:digest, e.g. " + DEFAULT_KAFKA_IMAGE + ")");
        }
        String last = stripped.substring(stripped.lastIndexOf('/') + 1);
        if (!last.contains(":") && !last.contains("@")) {
            throw new IllegalArgumentException("the " + what + " image '" + image + "' names no tag: pin one, e.g. '"
                    + stripped + ":<version>', so the run is repeatable");
        }
        return stripped;
    }

    /**
     * @param service a service
     * @return whether a container was asked for it
     */
    public boolean requested(Service service) {
        return services.contains(Objects.requireNonNull(service, "service"));
    }

    /** @return the services containers were asked for, an unmodifiable set; empty by default */
    public Set<Service> services() {
        return services;
    }

    /**
     * @param service a service
     * @return its image
     */
    public String image(Service service) {
        switch (Objects.requireNonNull(service, "service")) {
            case KAFKA:
                return kafkaImage;
            case OPENSEARCH:
                return openSearchImage;
            default:
                return clickHouseImage;
        }
    }

    /** @return the Kafka image, default {@value #DEFAULT_KAFKA_IMAGE} */
    public String kafkaImage() {
        return kafkaImage;
    }

    /** @return the OpenSearch image, default {@value #DEFAULT_OPENSEARCH_IMAGE} */
    public String openSearchImage() {
        return openSearchImage;
    }

    /** @return the ClickHouse image, default {@value #DEFAULT_CLICKHOUSE_IMAGE} */
    public String clickHouseImage() {
        return clickHouseImage;
    }

    /**
     * @return where the services came from, for messages: e.g. {@code the environment variable
     *     SYNCER_TESTCONTAINERS=all}, or {@code not asked for}
     */
    public String source() {
        return source;
    }

    @Override
    public String toString() {
        return "ContainerSettings[services=" + services + " (" + source + "), kafka=" + kafkaImage + ", opensearch="
                + openSearchImage + ", clickhouse=" + clickHouseImage + "]";
    }

    /** Builds {@link ContainerSettings}; each setter checks its value at once. Not thread-safe. */
    public static final class Builder {
        private Set<Service> services = EnumSet.noneOf(Service.class);
        private String kafkaImage = DEFAULT_KAFKA_IMAGE;
        private String openSearchImage = DEFAULT_OPENSEARCH_IMAGE;
        private String clickHouseImage = DEFAULT_CLICKHOUSE_IMAGE;
        private String source = NOT_ASKED;

        private Builder() {
        }

        /**
         * Sets the services that run in containers; default none.
         *
         * @param services the services, possibly empty
         * @return this builder
         * @throws NullPointerException if {@code services} or an element is {@code null}
         */
        public Builder services(Set<Service> services) {
            Objects.requireNonNull(services, "services");
            services.forEach(s -> Objects.requireNonNull(s, "a service"));
            this.services = services.isEmpty() ? EnumSet.noneOf(Service.class) : EnumSet.copyOf(services);
            if (NOT_ASKED.equals(source)) {
                this.source = "ContainerSettings.builder()";
            }
            return this;
        }

        /**
         * Sets the services that run in containers; default none.
         *
         * @param services the services
         * @return this builder
         * @throws NullPointerException if an element is {@code null}
         */
        public Builder services(Service... services) {
            return services(Set.of(services));
        }

        /**
         * Sets the Kafka image; default {@value ContainerSettings#DEFAULT_KAFKA_IMAGE}. It must be
         * {@code apache/kafka} or {@code apache/kafka-native}, or a copy of one of them under another name.
         *
         * @param image an image reference with a tag or a digest
         * @return this builder
         * @throws IllegalArgumentException if the reference is malformed or names no tag or digest
         */
        public Builder kafkaImage(String image) {
            this.kafkaImage = requireImage(image, "Kafka");
            return this;
        }

        /**
         * Sets the OpenSearch image; default {@value ContainerSettings#DEFAULT_OPENSEARCH_IMAGE}.
         *
         * @param image an image reference with a tag or a digest
         * @return this builder
         * @throws IllegalArgumentException if the reference is malformed or names no tag or digest
         */
        public Builder openSearchImage(String image) {
            this.openSearchImage = requireImage(image, "OpenSearch");
            return this;
        }

        /**
         * Sets the ClickHouse image; default {@value ContainerSettings#DEFAULT_CLICKHOUSE_IMAGE}.
         *
         * @param image an image reference with a tag or a digest
         * @return this builder
         * @throws IllegalArgumentException if the reference is malformed or names no tag or digest
         */
        public Builder clickHouseImage(String image) {
            this.clickHouseImage = requireImage(image, "ClickHouse");
            return this;
        }

        /** Where the services came from, for messages. */
        Builder source(String source) {
            this.source = Objects.requireNonNull(source, "source");
            return this;
        }

        /** @return the settings */
        public ContainerSettings build() {
            return new ContainerSettings(this);
        }
    }
}
