package io.syncer.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarFile;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The BOM is not a child of the parent POM (it must not pass the parent's third-party pins on to users), so what it
 * repeats is checked here: it names every published module of the build, and its plugin versions are the parent's.
 */
class BomTest {
    /** Modules of the build that are not published: examples, benchmarks, the reliability suite, the BOM itself. */
    private static final Set<String> NOT_PUBLISHED = Set.of("syncer-examples", "syncer-benchmarks", "syncer-reliability",
            "syncer-bom");

    @Test
    void theBomNamesEveryPublishedModuleAtTheBuildsVersionWithTheParentsPluginPins() throws Exception {
        Document parent = read(Path.of("..", "pom.xml"));
        Document bom = read(Path.of("..", "syncer-bom", "pom.xml"));
        Set<String> published = new TreeSet<>();
        for (String module : texts(parent.getDocumentElement(), "module")) {
            if (!NOT_PUBLISHED.contains(module)) {
                published.add(module);
            }
        }
        Set<String> managed = new TreeSet<>(texts(bom.getDocumentElement(), "artifactId"));
        managed.remove("syncer-bom");
        managed.removeIf(a -> a.startsWith("maven-"));
        assertEquals(published, managed, "the BOM manages exactly the published modules");
        assertEquals(text(parent.getDocumentElement(), "version"), text(bom.getDocumentElement(), "version"),
                "the BOM's version is the build's");

        Map<String, String> parentPins = new TreeMap<>();
        NodeList properties = ((Element) parent.getElementsByTagName("properties").item(0)).getChildNodes();
        for (int i = 0; i < properties.getLength(); i++) {
            if (properties.item(i) instanceof Element e && e.getTagName().startsWith("plugin.")) {
                parentPins.put(e.getTagName(), e.getTextContent().strip());
            }
        }
        NodeList plugins = bom.getElementsByTagName("plugin");
        for (int i = 0; i < plugins.getLength(); i++) {
            Element plugin = (Element) plugins.item(i);
            String artifact = text(plugin, "artifactId");
            String property = "plugin." + artifact.replace("maven-", "").replace("-plugin", "") + ".version";
            assertEquals(parentPins.get(property), text(plugin, "version"), artifact + " is pinned as in the parent");
        }
    }

    /** Each published module's jar names its JPMS module: io.syncer plus the artifact's words, stable across builds. */
    @Test
    void everyPublishedJarHasAStableAutomaticModuleName() throws Exception {
        Document parent = read(Path.of("..", "pom.xml"));
        String version = text(parent.getDocumentElement(), "version");
        Map<String, String> expected = Map.ofEntries(Map.entry("syncer-core", "io.syncer.core"),
                Map.entry("syncer-micrometer", "io.syncer.micrometer"), Map.entry("syncer-sink-kafka", "io.syncer.sink.kafka"),
                Map.entry("syncer-sink-es", "io.syncer.sink.es"), Map.entry("syncer-sink-cls", "io.syncer.sink.cls"),
                Map.entry("syncer-sink-clickhouse", "io.syncer.sink.clickhouse"), Map.entry("syncer-test", "io.syncer.test"),
                Map.entry("syncer-spring-boot-starter", "io.syncer.spring"),
                Map.entry("syncer-opentelemetry", "io.syncer.opentelemetry"));
        for (String module : texts(parent.getDocumentElement(), "module")) {
            if (NOT_PUBLISHED.contains(module)) {
                continue;
            }
            try (JarFile jar = new JarFile(Path.of("..", module, "target", module + "-" + version + ".jar").toFile())) {
                assertEquals(expected.get(module), jar.getManifest().getMainAttributes().getValue("Automatic-Module-Name"),
                        module);
            }
        }
    }

    /** A published module's install attaches its sources and its Javadoc (the API, without internal packages). */
    @Test
    void everyPublishedModuleAttachesSourcesAndJavadoc() throws Exception {
        Document parent = read(Path.of("..", "pom.xml"));
        String version = text(parent.getDocumentElement(), "version");
        for (String module : texts(parent.getDocumentElement(), "module")) {
            if (NOT_PUBLISHED.contains(module)) {
                continue;
            }
            Path target = Path.of("..", module, "target");
            try (JarFile sources = new JarFile(target.resolve(module + "-" + version + "-sources.jar").toFile());
                 JarFile javadoc = new JarFile(target.resolve(module + "-" + version + "-javadoc.jar").toFile())) {
                assertTrue(sources.stream().anyMatch(e -> e.getName().endsWith(".java")), module + " sources");
                assertTrue(javadoc.getEntry("index.html") != null, module + " javadoc");
                assertTrue(javadoc.stream().noneMatch(e -> e.getName().contains("/internal/")),
                        module + ": internal packages are not in the Javadoc");
            }
        }
    }

    private static Document read(Path pom) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
    }

    private static List<String> texts(Element root, String tag) {
        List<String> out = new ArrayList<>();
        NodeList nodes = root.getElementsByTagName(tag);
        for (int i = 0; i < nodes.getLength(); i++) {
            out.add(nodes.item(i).getTextContent().strip());
        }
        return out;
    }

    /** The text of the first {@code tag} child directly under {@code parent}. */
    private static String text(Element parent, String tag) {
        NodeList children = parent.getChildNodes();
        for (int i = 0; i < children.getLength(); i++) {
            if (children.item(i) instanceof Element e && e.getTagName().equals(tag)) {
                return e.getTextContent().strip();
            }
        }
        throw new IllegalArgumentException("no <" + tag + "> under <" + parent.getTagName() + ">");
    }
}
