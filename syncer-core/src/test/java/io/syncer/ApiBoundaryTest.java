package io.syncer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The build rule for the API/internal split: no public signature of a type in an API package may
 * name a type from {@code io.syncer.internal}. (kafka-clients has no stable module name, so a
 * {@code module-info} would have to require a file-name-derived automatic module; this test enforces
 * the same boundary without that.)
 */
class ApiBoundaryTest {
    @Test
    void publicApiNeverExposesInternalTypes() throws Exception {
        List<Class<?>> api = apiClasses();
        assertTrue(api.size() > 15, "found API classes: " + api);
        List<String> leaks = new ArrayList<>();
        for (Class<?> c : api) {
            if (!Modifier.isPublic(c.getModifiers())) {
                continue;
            }
            check(leaks, c, "extends", c.getGenericSuperclass());
            for (Type t : c.getGenericInterfaces()) {
                check(leaks, c, "implements", t);
            }
            for (Method m : c.getDeclaredMethods()) {
                if (Modifier.isPublic(m.getModifiers()) || Modifier.isProtected(m.getModifiers())) {
                    check(leaks, c, m.getName() + " returns", m.getGenericReturnType());
                    for (Type t : m.getGenericParameterTypes()) {
                        check(leaks, c, m.getName() + " takes", t);
                    }
                    for (Type t : m.getGenericExceptionTypes()) {
                        check(leaks, c, m.getName() + " throws", t);
                    }
                }
            }
            for (Constructor<?> k : c.getDeclaredConstructors()) {
                if (Modifier.isPublic(k.getModifiers()) || Modifier.isProtected(k.getModifiers())) {
                    for (Type t : k.getGenericParameterTypes()) {
                        check(leaks, c, "constructor takes", t);
                    }
                }
            }
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isPublic(f.getModifiers()) || Modifier.isProtected(f.getModifiers())) {
                    check(leaks, c, "field " + f.getName(), f.getGenericType());
                }
            }
            if (c.isRecord()) {
                for (RecordComponent rc : c.getRecordComponents()) {
                    check(leaks, c, "component " + rc.getName(), rc.getGenericType());
                }
            }
        }
        assertEquals(List.of(), leaks);
    }

    /** The abstract classes made to be extended by sink modules; every other public class is final. */
    private static final List<Class<?>> EXTENSION_POINTS = List.of(io.syncer.sink.SinkBuilder.class);

    @Test
    void implementationsAreFinalAndHidden() throws Exception {
        for (Class<?> c : apiClasses()) {
            if (Modifier.isPublic(c.getModifiers()) && !c.isInterface() && !c.isEnum() && !c.isRecord()
                    && !Throwable.class.isAssignableFrom(c) && !c.isAnnotation() && !EXTENSION_POINTS.contains(c)) {
                assertTrue(Modifier.isFinal(c.getModifiers()), c + " should be final");
            }
        }
    }

    private static void check(List<String> leaks, Class<?> owner, String where, Type type) {
        if (type == null) {
            return;
        }
        if (type instanceof Class<?>) {
            Class<?> c = (Class<?>) type;
            while (c.isArray()) {
                c = c.getComponentType();
            }
            if (c.getName().startsWith("io.syncer.internal.")) {
                leaks.add(owner.getName() + " " + where + " " + c.getName());
            }
        } else if (type instanceof ParameterizedType) {
            ParameterizedType p = (ParameterizedType) type;
            check(leaks, owner, where, p.getRawType());
            for (Type a : p.getActualTypeArguments()) {
                check(leaks, owner, where, a);
            }
        } else if (type instanceof WildcardType) {
            for (Type b : ((WildcardType) type).getUpperBounds()) {
                check(leaks, owner, where, b);
            }
            for (Type b : ((WildcardType) type).getLowerBounds()) {
                check(leaks, owner, where, b);
            }
        }
    }

    private static List<Class<?>> apiClasses() throws IOException, URISyntaxException, ClassNotFoundException {
        Path root = Paths.get(SyncerException.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<Class<?>> classes = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String rel = root.relativize(p).toString().replace('\\', '/');
                if (rel.endsWith(".class") && !rel.startsWith("io/syncer/internal/") && !rel.endsWith("package-info.class")) {
                    classes.add(Class.forName(rel.substring(0, rel.length() - 6).replace('/', '.'), false,
                            ApiBoundaryTest.class.getClassLoader()));
                }
            }
        }
        return classes;
    }
}
