package io.syncer.test;

import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that gives tests one shared {@link OpenSearchNode} per test JVM; {@link WithOpenSearch}
 * registers it. The node starts before the first test class that uses it, lives in the root
 * {@link ExtensionContext.Store} and is stopped by JUnit after the last test of the run.
 *
 * <p>The node comes from {@link OpenSearchNode#start()}: the unpacked distribution named by the system property
 * {@value #HOME_PROPERTY} (a module's build sets it, see {@code syncer-sink-es/pom.xml}), else the zip in the local
 * Maven repository; the JDK from {@value #JAVA_HOME_PROPERTY}, else the running one.
 * Without the distribution the tests fail with that message: they are never skipped.
 *
 * <p>When {@value ContainerSettings#SELECTION_ENV} (or {@code -D}{@value ContainerSettings#SELECTION_PROPERTY}) asks
 * for {@code opensearch}, the node runs in a Docker container instead ({@link OpenSearchNode#startContainer(String)},
 * image {@link ContainerSettings#openSearchImage()}); if no Docker engine answers, the tests fail with an
 * {@link IllegalStateException} naming that variable.
 */
public final class OpenSearchExtension implements BeforeAllCallback, ParameterResolver {
    /** System property: the unpacked {@code integ-test-zip} distribution. */
    public static final String HOME_PROPERTY = "syncer.opensearch.home";
    /** System property: the JDK that runs the node (21 or later for OpenSearch 3.x). */
    public static final String JAVA_HOME_PROPERTY = "syncer.opensearch.java.home";

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(OpenSearchExtension.class);
    private static final Object START_LOCK = new Object();

    /** Creates the extension; JUnit calls this, tests use {@link WithOpenSearch} instead. */
    public OpenSearchExtension() {
    }

    /**
     * Starts the shared node if it is not running yet, so start-up does not count against a test's timeout.
     *
     * @param context the class's extension context
     */
    @Override
    public void beforeAll(ExtensionContext context) {
        node(context);
    }

    /**
     * Supports parameters declared as {@link OpenSearchNode}.
     *
     * @param parameterContext the parameter
     * @param extensionContext the extension context
     * @return whether the parameter's type is {@link OpenSearchNode}
     */
    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == OpenSearchNode.class;
    }

    /**
     * Returns the shared node, starting it if needed.
     *
     * @param parameterContext the parameter
     * @param extensionContext the extension context
     * @return the shared {@link OpenSearchNode}
     */
    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return node(extensionContext);
    }

    private static OpenSearchNode node(ExtensionContext context) {
        ExtensionContext.Store store = context.getRoot().getStore(NAMESPACE);
        synchronized (START_LOCK) {
            return store.getOrComputeIfAbsent(OpenSearchNode.class, key -> new ClosableNode(start()), ClosableNode.class).node;
        }
    }

    private static OpenSearchNode start() {
        ContainerSettings settings = ContainerSettings.fromEnvironment();
        if (useContainer(settings, ContainerSelection.DOCKER)) {
            return OpenSearchNode.startContainer(settings.openSearchImage());
        }
        return OpenSearchNode.start();
    }

    /** Whether the shared node runs in a container; throws if one was asked for and Docker does not answer. */
    static boolean useContainer(ContainerSettings settings, BooleanSupplier docker) {
        return ContainerSelection.use(settings, ContainerSettings.Service.OPENSEARCH, docker);
    }

    /** Lets JUnit close the node at the end of the run. */
    private static final class ClosableNode implements ExtensionContext.Store.CloseableResource {
        final OpenSearchNode node;

        ClosableNode(OpenSearchNode node) {
            this.node = node;
        }

        @Override
        public void close() {
            node.close();
        }
    }
}
