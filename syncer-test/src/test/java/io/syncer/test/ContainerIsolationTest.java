package io.syncer.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Testcontainers is optional: the kit's classes, loaded where it is missing, must work on the path that asks for no
 * container. The kit is loaded anew, child-first, by a loader that refuses (and records) every Testcontainers and
 * docker-java class, as a user's test classpath without them would.
 */
class ContainerIsolationTest {

    private static final List<String> BLOCKED = List.of("org.testcontainers.", "com.github.dockerjava.",
            "org.opensearch.testcontainers.");
    private static final BooleanSupplier NEVER_ASKED = () -> fail("the Docker check must not run unless asked for");

    /** Loads io.syncer.test itself; refuses Testcontainers; everything else from the parent. */
    static final class WithoutTestcontainers extends ClassLoader {
        final List<String> refused = new CopyOnWriteArrayList<>();

        WithoutTestcontainers() {
            super(ContainerIsolationTest.class.getClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            for (String prefix : BLOCKED) {
                if (name.startsWith(prefix)) {
                    refused.add(name);
                    throw new ClassNotFoundException(name + " (refused: Testcontainers is not on this classpath)");
                }
            }
            if (!name.startsWith("io.syncer.test.")) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> loaded = findLoadedClass(name);
                if (loaded == null) {
                    try (InputStream in = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
                        if (in == null) {
                            throw new ClassNotFoundException(name);
                        }
                        byte[] bytes = in.readAllBytes();
                        loaded = defineClass(name, bytes, 0, bytes.length);
                    } catch (IOException e) {
                        throw new ClassNotFoundException(name, e);
                    }
                }
                if (resolve) {
                    resolveClass(loaded);
                }
                return loaded;
            }
        }
    }

    private static Object call(ClassLoader loader, String className, String method, Class<?>[] types, Object... args)
            throws Exception {
        Method m = Class.forName("io.syncer.test." + className, true, loader).getDeclaredMethod(method, types);
        m.setAccessible(true);
        try {
            return m.invoke(null, args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof Exception) {
                throw (Exception) e.getCause();
            }
            throw e;
        }
    }

    @Test
    void theNonContainerPathLoadsNoTestcontainersClass() throws Exception {
        WithoutTestcontainers loader = new WithoutTestcontainers();
        for (String name : List.of("ContainerSettings", "ContainerSettings$Service", "ContainerSelection",
                "KafkaBrokerExtension", "OpenSearchExtension", "ClickHouseExtension", "OpenSearchNode",
                "ClickHouseServer", "WithKafka", "WithOpenSearch", "WithClickHouse", "KafkaBroker",
                "EmbeddedKafkaBroker", "ExternalKafkaBroker", "ServiceContainer")) {
            Class<?> type = Class.forName("io.syncer.test." + name, true, loader);
            assertEquals(loader, type.getClassLoader(), name);
            type.getDeclaredMethods(); // resolves every signature
        }
        Object none = call(loader, "ContainerSettings", "ofDefaults", new Class<?>[0]);
        Class<?> settings = none.getClass();

        Object choice = call(loader, "KafkaBrokerExtension", "choose",
                new Class<?>[] {String.class, settings, BooleanSupplier.class}, null, none, NEVER_ASKED);
        assertEquals("EMBEDDED", choice.toString());
        assertEquals("EXTERNAL", call(loader, "KafkaBrokerExtension", "choose",
                new Class<?>[] {String.class, settings, BooleanSupplier.class}, "h:9092", none, NEVER_ASKED).toString());
        assertEquals(false, call(loader, "OpenSearchExtension", "useContainer",
                new Class<?>[] {settings, BooleanSupplier.class}, none, NEVER_ASKED));
        assertEquals(false, call(loader, "ClickHouseServer", "useContainer",
                new Class<?>[] {String.class, settings, BooleanSupplier.class}, null, none, NEVER_ASKED));
        Object external = call(loader, "ClickHouseServer", "external",
                new Class<?>[] {String.class, String.class, String.class}, "http://127.0.0.1:1", "default", "");
        assertEquals(false, external.getClass().getMethod("isContainer").invoke(external));
        ((AutoCloseable) external).close();

        assertEquals(List.of(), loader.refused, "Testcontainers classes were loaded on the non-container path");
    }

    @Test
    void theLoaderReallyRefusesTestcontainers() throws Exception {
        WithoutTestcontainers loader = new WithoutTestcontainers();

        // DockerEngine needs DockerClientFactory at once; without it, it answers "no Docker" rather than throw
        assertEquals(false, call(loader, "DockerEngine", "reachable", new Class<?>[0]));
        assertTrue(loader.refused.contains("org.testcontainers.DockerClientFactory"), loader.refused.toString());
    }

    @Test
    void askingForContainersWithoutTestcontainersSaysWhatToAdd() {
        WithoutTestcontainers loader = new WithoutTestcontainers();

        Exception e = assertThrows(Exception.class,
                () -> call(loader, "ContainerSelection", "dockerReachable", new Class<?>[0]));
        IllegalStateException state = assertInstanceOf(IllegalStateException.class, e);
        assertTrue(state.getMessage().contains("Testcontainers is not on the test classpath"), state.getMessage());
        assertTrue(state.getMessage().contains("org.testcontainers:testcontainers-kafka"), state.getMessage());
        assertTrue(state.getMessage().contains("SYNCER_TESTCONTAINERS"), state.getMessage());
    }
}
