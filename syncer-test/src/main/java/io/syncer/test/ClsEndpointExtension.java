package io.syncer.test;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that gives each test class its own {@link ClsEndpoint}; {@link WithCls} registers it.
 *
 * <p>It resolves parameters declared as {@link ClsEndpoint} in constructors, lifecycle methods ({@code @BeforeAll}
 * included) and test methods. The endpoint starts on first use, lives in the store of the top-level test class's
 * {@link ExtensionContext} (its {@code @Nested} classes share it) and is closed after that class's last test and
 * {@code @AfterAll} methods. The tests of a class share it: use distinct topic ids, or call
 * {@link ClsEndpoint#reset()} and {@link ClsEndpoint#clearFaults()} in {@code @BeforeEach}. Thread-safe: tests run
 * in parallel still share one endpoint per class.
 */
public final class ClsEndpointExtension implements ParameterResolver, AfterAllCallback {
    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(ClsEndpointExtension.class);

    /** Creates the extension; JUnit calls this, tests use {@link WithCls} instead. */
    public ClsEndpointExtension() {
    }

    /**
     * Closes the class's endpoint, if one was started. (JUnit would also close it with the store, as an
     * {@code AutoCloseable}; closing is idempotent.)
     *
     * @param context the class's extension context
     */
    @Override
    public void afterAll(ExtensionContext context) {
        if (context != topLevelClass(context)) {
            return;
        }
        ClsEndpoint endpoint = context.getStore(NAMESPACE).get(ClsEndpoint.class, ClsEndpoint.class);
        if (endpoint != null) {
            endpoint.close();
        }
    }

    /**
     * Supports parameters declared exactly as {@link ClsEndpoint}.
     *
     * @param parameterContext the parameter
     * @param extensionContext the extension context
     * @return whether the parameter's type is {@link ClsEndpoint}
     */
    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == ClsEndpoint.class;
    }

    /**
     * Returns the test class's endpoint, starting it if needed.
     *
     * @param parameterContext the parameter
     * @param extensionContext the extension context
     * @return the class's {@link ClsEndpoint}
     */
    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return topLevelClass(extensionContext).getStore(NAMESPACE)
                .getOrComputeIfAbsent(ClsEndpoint.class, key -> ClsEndpoint.start(), ClsEndpoint.class);
    }

    /** The context of the outermost test class: the one whose parent is the engine's. */
    private static ExtensionContext topLevelClass(ExtensionContext context) {
        ExtensionContext c = context;
        while (c.getParent().isPresent() && c.getParent().get().getTestClass().isPresent()) {
            c = c.getParent().get();
        }
        return c;
    }
}
