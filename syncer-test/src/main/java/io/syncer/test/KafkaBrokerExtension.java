package io.syncer.test;

import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JUnit 5 extension that gives tests one shared {@link KafkaBroker} per test JVM; {@link WithKafka} registers it.
 *
 * <p>It resolves parameters of type {@link KafkaBroker} in constructors, lifecycle methods and test methods. The
 * broker starts on first use (at the latest before the first {@code @BeforeAll} of a class using this extension),
 * lives in the root {@link ExtensionContext.Store} and is closed by JUnit after the last test of the run. Start-up
 * is thread-safe, so parallel test execution still starts exactly one broker.
 *
 * <p>By default the broker is an {@link EmbeddedKafkaBroker}. If the system property
 * {@value #BOOTSTRAP_SERVERS_PROPERTY} or, failing that, the environment variable {@value #BOOTSTRAP_SERVERS_ENV}
 * is set to a non-blank value, tests use that external cluster instead and no broker is started. Tests must then
 * use unique topic and group names, see {@link KafkaBroker#uniqueName(String)}.
 *
 * <p>If {@value ContainerSettings#SELECTION_ENV} (or {@code -D}{@value ContainerSettings#SELECTION_PROPERTY}) asks
 * for {@code kafka}, the broker is a {@link ContainerKafkaBroker} (image {@link ContainerSettings#kafkaImage()}); if no
 * Docker engine answers, the tests fail with an {@link IllegalStateException} naming that variable. Asking for both a
 * container and an external cluster is an error too.
 */
public final class KafkaBrokerExtension implements BeforeAllCallback, ParameterResolver {

    /** Environment variable naming an external cluster's bootstrap servers. */
    public static final String BOOTSTRAP_SERVERS_ENV = "SYNCER_KAFKA_BOOTSTRAP_SERVERS";

    /** System property naming an external cluster's bootstrap servers; it wins over the environment variable. */
    public static final String BOOTSTRAP_SERVERS_PROPERTY = "syncer.kafka.bootstrap.servers";

    private static final Logger LOG = LoggerFactory.getLogger(KafkaBrokerExtension.class);
    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(KafkaBrokerExtension.class);
    private static final Object START_LOCK = new Object();

    /** Creates the extension; JUnit calls this, tests use {@link WithKafka} instead. */
    public KafkaBrokerExtension() {
    }

    /**
     * Starts the shared broker if it is not running yet, so that start-up does not count against the timeout of
     * the first test.
     *
     * @param context the class's extension context
     */
    @Override
    public void beforeAll(ExtensionContext context) {
        broker(context);
    }

    /**
     * Supports parameters declared exactly as {@link KafkaBroker}.
     *
     * @param parameterContext the parameter
     * @param extensionContext the extension context
     * @return whether the parameter's type is {@link KafkaBroker}
     */
    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == KafkaBroker.class;
    }

    /**
     * Returns the shared broker, starting it if needed.
     *
     * @param parameterContext the parameter
     * @param extensionContext the extension context
     * @return the shared {@link KafkaBroker}
     */
    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return broker(extensionContext);
    }

    private static KafkaBroker broker(ExtensionContext context) {
        ExtensionContext.Store store = context.getRoot().getStore(NAMESPACE);
        synchronized (START_LOCK) {
            return store.getOrComputeIfAbsent(KafkaBroker.class, key -> startBroker(), KafkaBroker.class);
        }
    }

    private static KafkaBroker startBroker() {
        String external = externalBootstrapServers(
                System.getProperty(BOOTSTRAP_SERVERS_PROPERTY), System.getenv(BOOTSTRAP_SERVERS_ENV));
        ContainerSettings settings = ContainerSettings.fromEnvironment();
        switch (choose(external, settings, ContainerSelection.DOCKER)) {
            case CONTAINER:
                return ContainerKafkaBroker.start(settings.kafkaImage());
            case EXTERNAL:
                LOG.info("Using the external Kafka cluster at {}", external);
                return new ExternalKafkaBroker(external);
            default:
                return EmbeddedKafkaBroker.start();
        }
    }

    /** Which broker the extension starts. */
    enum Choice {
        EMBEDDED,
        EXTERNAL,
        CONTAINER
    }

    /**
     * Chooses the broker.
     *
     * @param external the external cluster's bootstrap servers, or {@code null}
     * @param settings what containers were asked for
     * @param docker whether a Docker engine answers; asked only if a container was asked for
     * @throws IllegalStateException if a container and an external cluster are both asked for, or a container is
     *     asked for and Docker does not answer
     */
    static Choice choose(String external, ContainerSettings settings, BooleanSupplier docker) {
        if (external != null && settings.requested(ContainerSettings.Service.KAFKA)) {
            throw new IllegalStateException("Both a Kafka container (" + settings.source() + ") and the external"
                    + " cluster " + external + " (" + BOOTSTRAP_SERVERS_ENV + " or -D" + BOOTSTRAP_SERVERS_PROPERTY
                    + ") are asked for: unset one of them");
        }
        if (ContainerSelection.use(settings, ContainerSettings.Service.KAFKA, docker)) {
            return Choice.CONTAINER;
        }
        return external == null ? Choice.EMBEDDED : Choice.EXTERNAL;
    }

    /** Returns the external cluster's bootstrap servers, or {@code null} if neither value is set. */
    static String externalBootstrapServers(String property, String environment) {
        if (property != null && !property.isBlank()) {
            return property.strip();
        }
        if (environment != null && !environment.isBlank()) {
            return environment.strip();
        }
        return null;
    }
}
