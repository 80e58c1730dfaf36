package io.syncer.test;

import java.nio.file.Path;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that gives tests one shared {@link OpenSearchNode} per test JVM; {@link WithOpenSearch}
 * registers it. The node starts before the first test class that uses it, lives in the root
 * {@link ExtensionContext.Store} and is stopped by JUnit after the last test of the run.
 *
 * <p>The unpacked distribution comes from the system property {@value #HOME_PROPERTY} (a module's build sets it,
 * see {@code syncer-sink-opensearch/pom.xml}); the JDK from {@value #JAVA_HOME_PROPERTY}, else the running one.
 * Without the distribution the tests fail with that message: they are never skipped.
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
        String home = System.getProperty(HOME_PROPERTY);
        if (home == null || home.isBlank()) {
            throw new IllegalStateException("system property " + HOME_PROPERTY + " is not set: it must name an unpacked "
                    + "org.opensearch.distribution.integ-test-zip:opensearch (the module's build unpacks one)");
        }
        String javaHome = System.getProperty(JAVA_HOME_PROPERTY, "");
        return OpenSearchNode.start(Path.of(home), Path.of(javaHome.isBlank() ? System.getProperty("java.home") : javaHome));
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
