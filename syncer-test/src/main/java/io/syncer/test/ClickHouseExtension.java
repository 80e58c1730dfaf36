package io.syncer.test;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that gives tests one shared {@link ClickHouseServer} per test JVM; {@link WithClickHouse}
 * registers it.
 *
 * <p>It resolves parameters declared as {@link ClickHouseServer} in constructors, {@code @BeforeAll},
 * {@code @BeforeEach} and test methods. The server comes from {@link ClickHouseServer#startOrExternal()}: the server
 * named by {@value ClickHouseServer#URL_ENV} if that is set, else Debian's {@code clickhouse-server} as a child
 * process. It starts on first use (at the latest before the first {@code @BeforeAll} of a class using this
 * extension), lives in the root {@link ExtensionContext.Store} and is closed by JUnit after the last test of the run
 * (and killed by a JVM shutdown hook if the run ends otherwise). Start-up is thread-safe, so parallel test execution
 * still starts exactly one server. Without an installed server the tests fail, they are never skipped.
 *
 * <p>The server is shared: tests should create their own tables under unique names
 * ({@link ClickHouseServer#uniqueTableName(String)}) and must not {@link ClickHouseServer#stop() stop} or
 * {@link ClickHouseServer#close() close} it; a test that needs to stop or restart a server starts its own with
 * {@link ClickHouseServer#start()}.
 */
public final class ClickHouseExtension implements BeforeAllCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(ClickHouseExtension.class);
    private static final Object START_LOCK = new Object();

    /** Creates the extension; JUnit calls this, tests use {@link WithClickHouse} instead. */
    public ClickHouseExtension() {
    }

    /**
     * Starts the shared server if it is not running yet, so start-up does not count against a test's timeout.
     *
     * @param context the class's extension context
     */
    @Override
    public void beforeAll(ExtensionContext context) {
        server(context);
    }

    /**
     * Supports parameters declared exactly as {@link ClickHouseServer}.
     *
     * @param parameterContext the parameter
     * @param extensionContext the extension context
     * @return whether the parameter's type is {@link ClickHouseServer}
     */
    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == ClickHouseServer.class;
    }

    /**
     * Returns the shared server, starting it if needed.
     *
     * @param parameterContext the parameter
     * @param extensionContext the extension context
     * @return the shared {@link ClickHouseServer}
     */
    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return server(extensionContext);
    }

    private static ClickHouseServer server(ExtensionContext context) {
        ExtensionContext.Store store = context.getRoot().getStore(NAMESPACE);
        synchronized (START_LOCK) {
            // JUnit 5.13 closes AutoCloseable store values when the root context closes.
            return store.getOrComputeIfAbsent(ClickHouseServer.class, key -> ClickHouseServer.startOrExternal(),
                    ClickHouseServer.class);
        }
    }
}
