package io.syncer.test;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that gives tests one shared {@link ChdbServer} per test JVM; {@link WithChdb} registers it. The
 * front starts before the first test class that uses it, lives in the root {@link ExtensionContext.Store} and is
 * stopped by JUnit after the last test of the run.
 *
 * <p><strong>The front EMULATES ClickHouse's HTTP protocol</strong> over the real 26.x engine (see
 * {@link ChdbServer}): test SQL and data with it, not a client's status-code, retry or compression handling.
 *
 * <p>The engine comes from the system property {@value ChdbServer#MODULES_PROPERTY} (a module's build sets it, see
 * {@code syncer-test/pom.xml}). Without it, or without {@code node}, the tests fail with a message that says how to
 * install them: they are never skipped. Tests that share the front should use unique table names.
 */
public final class ChdbExtension implements BeforeAllCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(ChdbExtension.class);
    private static final Object START_LOCK = new Object();

    /** Creates the extension; JUnit calls this, tests use {@link WithChdb} instead. */
    public ChdbExtension() {
    }

    /**
     * Starts the shared front if it is not running yet, so start-up does not count against a test's timeout.
     *
     * @param context the class's extension context
     */
    @Override
    public void beforeAll(ExtensionContext context) {
        server(context);
    }

    /**
     * Supports parameters declared as {@link ChdbServer}.
     *
     * @param parameterContext the parameter
     * @param extensionContext the extension context
     * @return whether the parameter's type is {@link ChdbServer}
     */
    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == ChdbServer.class;
    }

    /**
     * Returns the shared front, starting it if needed.
     *
     * @param parameterContext the parameter
     * @param extensionContext the extension context
     * @return the shared {@link ChdbServer}
     */
    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return server(extensionContext);
    }

    private static ChdbServer server(ExtensionContext context) {
        ExtensionContext.Store store = context.getRoot().getStore(NAMESPACE);
        synchronized (START_LOCK) {
            // JUnit 5.13 closes AutoCloseable store values when the root context closes.
            return store.getOrComputeIfAbsent(ChdbServer.class, key -> ChdbServer.start(), ChdbServer.class);
        }
    }
}
