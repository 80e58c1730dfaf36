package io.syncer.examples;

import io.syncer.Syncer;
import io.syncer.consume.ConsumerGroupConfig;
import io.syncer.failure.RetryPolicy;
import io.syncer.produce.KafkaProducersConfig;
import io.syncer.queue.QueueWorkerConfig;
import io.syncer.sink.BatchPolicy;
import io.syncer.sink.SinkBuilder;
import io.syncer.sink.clickhouse.ClickHouseSink;
import io.syncer.sink.cls.ClsSink;
import io.syncer.sink.es.OpenSearchSink;
import io.syncer.sink.kafka.KafkaSink;
import io.syncer.spring.SyncerProperties;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Generates docs/configuration.md from the code: every public setter of syncer's builders (found by
 * reflection), the first sentence of its Javadoc and the {@code DEFAULT_*} constant it names (read from the
 * sources, valued by reflection), the properties-file key that sets it ({@code propertyKeys()} of each
 * configuration) and the Spring Boot key ({@link SyncerProperties}, walked by reflection, described by its
 * fields' Javadoc). {@code ConfigurationReferenceTest} fails when the committed file differs.
 */
final class ConfigurationReference {
    /** The repository's root, seen from a module's directory (where Maven runs tests). */
    static final Path ROOT = Path.of("..");
    static final Path DOC = ROOT.resolve("docs").resolve("configuration.md");

    private static final Pattern METHOD_DOC = Pattern.compile(
            "/\\*\\*((?:(?!\\*/).)*)\\*/\\s*(?:@\\w+(?:\\([^)]*\\))?\\s*)*(?:public|protected)\\s+[^(=;{}]*?\\b(\\w+)\\s*\\(([^)]*)\\)",
            Pattern.DOTALL);
    private static final Pattern FIELD_DOC = Pattern.compile(
            "/\\*\\*((?:(?!\\*/).)*)\\*/\\s*private\\s+[\\w<>, ?.]+\\s+(\\w+)\\s*[=;]", Pattern.DOTALL);
    private static final Pattern DEFAULT_CONSTANT = Pattern.compile("\\bDEFAULT_[A-Z0-9_]+");

    /** One section: a builder, its module's source file, and the keys that set it from a file or YAML. */
    private record Section(String title, Class<?> builder, Path source, String how, Map<String, String> keys,
                           String keyPrefix, Class<?> yaml, String yamlPrefix, String note) {
    }

    private ConfigurationReference() {
    }

    /** The whole document. */
    static String generate() throws IOException {
        Map<String, String> worker = QueueWorkerConfig.propertyKeys();
        Map<String, String> retryKeys = new LinkedHashMap<>();
        Map<String, String> workerKeys = new LinkedHashMap<>();
        worker.forEach((k, v) -> (k.startsWith(QueueWorkerConfig.PREFIX + "retry.") ? retryKeys : workerKeys).put(k, v));
        List<Section> sections = List.of(
                new Section("Consumer group: ConsumerGroupConfig", ConsumerGroupConfig.Builder.class,
                        core("consume/ConsumerGroupConfig.java"), "`ConsumerGroupConfig.builder()`, `ConsumerGroupConfig.fromProperties(props)`",
                        ConsumerGroupConfig.propertyKeys(), ConsumerGroupConfig.PREFIX, SyncerProperties.Consumer.class,
                        "syncer.pipelines.<name>.consumer.",
                        "Kafka consumer properties pass through: `" + ConsumerGroupConfig.KAFKA_PREFIX
                                + "*` in a properties file, `syncer.pipelines.<name>.consumer.kafka.*` and `syncer.kafka.*` in YAML."),
                new Section("Queue workers: QueueWorkerConfig", QueueWorkerConfig.Builder.class,
                        core("queue/QueueWorkerConfig.java"), "`QueueWorkerConfig.builder()`, `QueueWorkerConfig.fromProperties(props)`",
                        workerKeys, QueueWorkerConfig.PREFIX, SyncerProperties.Worker.class, "syncer.pipelines.<name>.worker.",
                        "In YAML the dead-letter policy is `syncer.pipelines.<name>.worker.dead-letter-topic` (on the "
                                + "`KafkaProducers` bean); in code, `DeadLetterPolicy.toTopic(producers, topic)`."),
                new Section("Retries: RetryPolicy", RetryPolicy.Builder.class, core("failure/RetryPolicy.java"),
                        "`RetryPolicy.builder()`, or the `retry.*` keys of the workers", retryKeys,
                        QueueWorkerConfig.PREFIX + "retry.", SyncerProperties.Retry.class, "syncer.pipelines.<name>.worker.retry.", null),
                new Section("Share groups: ShareGroupConfig", io.syncer.share.ShareGroupConfig.Builder.class,
                        core("share/ShareGroupConfig.java"), "`ShareGroupConfig.builder()`, given to `Syncer.Builder.shareGroup(...)` or `ShareGroupManager.create(...)`",
                        Map.of(), null, SyncerProperties.ShareGroup.class, "syncer.pipelines.<name>.share-group.",
                        "Kafka share-consumer properties pass through: `syncer.pipelines.<name>.share-group.kafka.*` and"
                                + " `syncer.kafka.*` in YAML."),
                new Section("Producers: KafkaProducersConfig", KafkaProducersConfig.Builder.class,
                        core("produce/KafkaProducersConfig.java"), "`KafkaProducersConfig.builder()`, `KafkaProducersConfig.fromProperties(props)`",
                        KafkaProducersConfig.propertyKeys(), KafkaProducersConfig.PREFIX, SyncerProperties.Producer.class,
                        "syncer.producer.", "Kafka producer properties pass through: `" + KafkaProducersConfig.KAFKA_PREFIX
                                + "*` in a properties file, `syncer.producer.kafka.*` and `syncer.kafka.*` in YAML."),
                new Section("Pipeline: Syncer.Builder", Syncer.Builder.class, core("Syncer.java"),
                        "`Syncer.builder(decoder)`", Map.of(), null, null, null,
                        "In YAML: `syncer.pipelines.<name>.*` (see the Spring Boot section)."),
                new Section("Sink batching: BatchPolicy", BatchPolicy.Builder.class, core("sink/BatchPolicy.java"),
                        "`BatchPolicy.builder()`, given to a sink's `batchPolicy(...)`", Map.of(), null, null, null, null),
                new Section("Every sink: SinkBuilder", SinkBuilder.class, core("sink/SinkBuilder.java"),
                        "inherited by each sink's builder", Map.of(), null, null, null, null),
                new Section("Kafka sink: KafkaSink.Builder", KafkaSink.Builder.class,
                        module("syncer-sink-kafka", "io/syncer/sink/kafka/KafkaSink.java"),
                        "`KafkaSink.builder(name, producers)`", Map.of(), null, null, null, null),
                new Section("OpenSearch sink: OpenSearchSink.Builder", OpenSearchSink.Builder.class,
                        module("syncer-sink-es", "io/syncer/sink/es/OpenSearchSink.java"),
                        "`OpenSearchSink.builder(name, client)`", Map.of(), null, null, null, null),
                new Section("CLS sink: ClsSink.Builder", ClsSink.Builder.class,
                        module("syncer-sink-cls", "io/syncer/sink/cls/ClsSink.java"),
                        "`ClsSink.builder(name, endpoint, credentials)`", Map.of(), null, null, null, null),
                new Section("ClickHouse sink: ClickHouseSink.Builder", ClickHouseSink.Builder.class,
                        module("syncer-sink-clickhouse", "io/syncer/sink/clickhouse/ClickHouseSink.java"),
                        "`ClickHouseSink.builder(name, client)`", Map.of(), null, null, null, null));

        StringBuilder md = new StringBuilder();
        md.append("# Configuration reference\n\n")
                .append("Generated from the code by `ConfigurationReference` (syncer-examples' tests): every builder setting with\n")
                .append("its default, the properties-file key and the Spring Boot (`application.yml`) key that set it. Do not edit:\n")
                .append("`ConfigurationReferenceTest` fails when this file is stale; regenerate it with\n\n")
                .append("```bash\nmvn -B -q -pl syncer-examples test -Dtest=ConfigurationReferenceTest -Dsyncer.docs.write=true\n```\n\n")
                .append("Durations are written `500ms`, `5s`, `2m` or ISO-8601 (`PT5S`) in properties files, and `500ms`, `5s`, `2m`\n")
                .append("in YAML. An unknown key under a syncer prefix fails, in a file and in YAML alike.\n\n");
        for (Section s : sections) {
            md.append("- [").append(s.title()).append("](#").append(anchor(s.title())).append(")\n");
        }
        md.append("- [Spring Boot: syncer.*](#spring-boot-syncer)\n\n");
        for (Section s : sections) {
            section(md, s);
        }
        spring(md);
        return md.toString();
    }

    private static void section(StringBuilder md, Section s) throws IOException {
        String source = Files.readString(s.source());
        Map<String, String> docs = methodDocs(source);
        md.append("## ").append(s.title()).append("\n\n").append("Built with ").append(s.how()).append(".");
        if (s.note() != null) {
            md.append(' ').append(s.note());
        }
        Class<?> sink = s.builder().getEnclosingClass();
        if (sink != null && SinkBuilder.class.isAssignableFrom(s.builder())) {
            md.append(" Its default batching (`").append(sink.getSimpleName()).append(".DEFAULT_BATCH_POLICY`): ")
                    .append(format(constant(s.builder(), "DEFAULT_BATCH_POLICY"))).append('.');
        }
        md.append("\n\n| setting | value | default | properties key | YAML key | what it does |\n|---|---|---|---|---|---|\n");
        Set<String> keysLeft = new LinkedHashSet<>(s.keys().keySet());
        for (Method m : setters(s.builder())) {
            String doc = docs.get(signature(m));
            if (doc == null) {
                throw new IllegalStateException("no Javadoc found for " + s.builder().getName() + "." + signature(m)
                        + " in " + s.source());
            }
            String key = null;
            if (s.keyPrefix() != null) {
                String candidate = s.keyPrefix() + dotted(m.getName());
                if (keysLeft.remove(candidate)) {
                    key = candidate;
                }
            }
            String yaml = s.yaml() != null && hasField(s.yaml(), m.getName()) ? s.yamlPrefix() + kebab(m.getName()) : null;
            md.append("| `").append(m.getName()).append('(').append(params(m)).append(")` | ")
                    .append(kind(m, key == null ? null : s.keys().get(key))).append(" | ")
                    .append(defaultOf(doc, s.builder())).append(" | ")
                    .append(key == null ? "" : "`" + key + "`").append(" | ")
                    .append(yaml == null ? "" : "`" + yaml + "`").append(" | ")
                    .append(firstSentence(doc)).append(" |\n");
        }
        for (String key : keysLeft) {
            md.append("| | ").append(s.keys().get(key)).append(" | | `").append(key).append("` | | (properties file only) |\n");
        }
        md.append('\n');
    }

    private static void spring(StringBuilder md) throws IOException {
        Path src = module("syncer-spring-boot-starter", "io/syncer/spring/SyncerProperties.java");
        Map<String, String> docs = fieldDocs(Files.readString(src));
        md.append("## Spring Boot: syncer.*\n\n")
                .append("The starter (`syncer-spring-boot-starter`, Spring Boot 4.0) binds these onto the builders above, so a\n")
                .append("value is checked by the same setter as in code. `syncer.enabled=false` turns the auto-configuration off.\n")
                .append("A setting left out takes the builder's default.\n\n")
                .append("| key | type | what it does |\n|---|---|---|\n")
                .append("| `syncer.enabled` | boolean | Whether syncer's auto-configuration runs at all (default true). |\n");
        walk(md, docs, SyncerProperties.class, "syncer.");
        md.append('\n');
    }

    private static void walk(StringBuilder md, Map<String, String> docs, Class<?> type, String prefix) {
        for (Field f : type.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers())) {
                continue;
            }
            String key = prefix + kebab(f.getName());
            Class<?> t = f.getType();
            String doc = docs.get(type.getSimpleName() + "." + f.getName());
            if (doc == null) {
                throw new IllegalStateException("no Javadoc on " + type.getName() + "." + f.getName());
            }
            if (t.getName().startsWith("io.syncer.spring.")) {
                walk(md, docs, t, key + ".");
            } else if (Map.class.isAssignableFrom(t) && f.getName().equals("pipelines")) {
                walk(md, docs, SyncerProperties.Pipeline.class, key + ".<name>.");
            } else {
                String typeName = Map.class.isAssignableFrom(t) ? "map" : List.class.isAssignableFrom(t) ? "list"
                        : t == Duration.class ? "duration" : t == Class.class ? "class name" : t.getSimpleName().toLowerCase(Locale.ROOT);
                md.append("| `").append(key).append(Map.class.isAssignableFrom(t) ? ".*" : "").append("` | ")
                        .append(typeName).append(" | ").append(clean(doc)).append(" |\n");
            }
        }
    }

    /** Public setters declared by the builder itself, in a stable order (by name, then parameters). */
    private static List<Method> setters(Class<?> builder) {
        List<Method> out = new ArrayList<>();
        for (Method m : builder.getDeclaredMethods()) {
            if (Modifier.isPublic(m.getModifiers()) && !Modifier.isStatic(m.getModifiers()) && !m.isSynthetic()
                    && m.getParameterCount() > 0 && !m.getName().equals("build")
                    && (m.getReturnType() == builder || builder.isAssignableFrom(m.getReturnType())
                        || m.getReturnType() == Object.class || SinkBuilder.class.isAssignableFrom(m.getReturnType()))) {
                out.add(m);
            }
        }
        out.sort(Comparator.comparing(Method::getName).thenComparing(ConfigurationReference::params));
        return out;
    }

    private static Map<String, String> methodDocs(String source) {
        Map<String, String> docs = new LinkedHashMap<>();
        Matcher m = METHOD_DOC.matcher(source);
        while (m.find()) {
            String params = m.group(3).trim();
            List<String> types = new ArrayList<>();
            if (!params.isEmpty()) {
                for (String p : splitParams(params)) {
                    String t = p.trim().replaceAll("^final\\s+", "");
                    t = t.substring(0, t.lastIndexOf(' ')).trim().replaceAll("<.*>", "").replace("...", "[]");
                    types.add(t.substring(t.lastIndexOf('.') + 1));
                }
            }
            docs.putIfAbsent(m.group(2) + "(" + String.join(",", types) + ")", m.group(1));
        }
        return docs;
    }

    private static List<String> splitParams(String params) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < params.length(); i++) {
            char c = params.charAt(i);
            if (c == '<') {
                depth++;
            } else if (c == '>') {
                depth--;
            } else if (c == ',' && depth == 0) {
                out.add(params.substring(start, i));
                start = i + 1;
            }
        }
        out.add(params.substring(start));
        return out;
    }

    private static Map<String, String> fieldDocs(String source) {
        Map<String, String> docs = new LinkedHashMap<>();
        // field docs by enclosing class: the last "class X" before each match
        Matcher classes = Pattern.compile("class (\\w+)").matcher(source);
        List<int[]> starts = new ArrayList<>();
        List<String> names = new ArrayList<>();
        while (classes.find()) {
            starts.add(new int[] {classes.start()});
            names.add(classes.group(1));
        }
        Matcher m = FIELD_DOC.matcher(source);
        while (m.find()) {
            String owner = null;
            for (int i = 0; i < starts.size(); i++) {
                if (starts.get(i)[0] < m.start()) {
                    owner = names.get(i);
                }
            }
            docs.put(owner + "." + m.group(2), m.group(1));
        }
        return docs;
    }

    private static String signature(Method m) {
        return m.getName() + "(" + params(m) + ")";
    }

    private static String params(Method m) {
        List<String> types = new ArrayList<>();
        for (Class<?> c : m.getParameterTypes()) {
            types.add(c.getSimpleName());
        }
        return String.join(",", types);
    }

    private static String kind(Method m, String keyKind) {
        if (keyKind != null && keyKind.contains("|")) {
            return keyKind.replace("|", " \\| ");
        }
        if (m.getParameterCount() != 1) {
            return "";
        }
        Class<?> t = m.getParameterTypes()[0];
        if (t == Duration.class) {
            return "duration";
        }
        if (t == int.class || t == long.class) {
            return m.getName().toLowerCase(Locale.ROOT).contains("bytes") ? "bytes" : "integer";
        }
        if (t == double.class) {
            return "fraction";
        }
        if (t == boolean.class) {
            return "true \\| false";
        }
        if (t.isEnum()) {
            List<String> values = new ArrayList<>();
            for (Object e : t.getEnumConstants()) {
                values.add(((Enum<?>) e).name().toLowerCase(Locale.ROOT));
            }
            return String.join(" \\| ", values);
        }
        if (t == String.class) {
            return "text";
        }
        if (List.class.isAssignableFrom(t) || t.isArray()) {
            return "list";
        }
        return t.getSimpleName();
    }

    private static String defaultOf(String doc, Class<?> builder) {
        if (doc.contains("Required.")) {
            return "required";
        }
        Matcher m = DEFAULT_CONSTANT.matcher(doc);
        List<String> values = new ArrayList<>();
        while (m.find()) {
            Object value = constant(builder, m.group());
            values.add(hasOwnToString(value) ? format(value) : "`" + m.group() + "`");
        }
        return String.join(", ", new LinkedHashSet<>(values));
    }

    private static Object constant(Class<?> builder, String name) {
        for (Class<?> c = builder; c != null; c = c.getEnclosingClass()) {
            try {
                Field f = c.getField(name);
                return f.get(null);
            } catch (NoSuchFieldException e) {
                // the constant is on the enclosing class
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
        if (builder == SinkBuilder.class) {
            return "each sink's own"; // the shared builder documents the sinks' constants by name
        }
        throw new IllegalStateException(builder.getName() + ": its Javadoc names " + name + ", which does not exist");
    }

    /** Whether the value says what it is: a default {@code Object.toString} would change every run. */
    private static boolean hasOwnToString(Object value) {
        try {
            return value.getClass().getMethod("toString").getDeclaringClass() != Object.class;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    static String format(Object value) {
        if (value instanceof Duration d) {
            if (d.isZero()) {
                return "0";
            }
            if (d.toMillis() < 1000 || d.toMillis() % 1000 != 0) {
                return d.toMillis() + " ms";
            }
            long s = d.getSeconds();
            return s % 3600 == 0 ? s / 3600 + " h" : s % 60 == 0 ? s / 60 + " min" : s + " s";
        }
        if (value instanceof Long l && l >= 1024 * 1024 && l % (1024 * 1024) == 0) {
            return l / (1024 * 1024) + " MiB";
        }
        if (value instanceof Integer || value instanceof Long) {
            return String.format(Locale.ROOT, "%,d", ((Number) value).longValue());
        }
        if (value instanceof Enum<?> e) {
            return e.name().toLowerCase(Locale.ROOT);
        }
        return String.valueOf(value).replace("|", "\\|");
    }

    /** The first sentence of a Javadoc comment, tags turned into text. */
    static String firstSentence(String doc) {
        String text = clean(doc);
        Matcher end = Pattern.compile("(?<!\\be\\.g|\\bi\\.e)\\.(\\s|$)").matcher(text);
        return end.find() ? text.substring(0, end.start() + 1) : text;
    }

    private static String clean(String doc) {
        StringBuilder body = new StringBuilder();
        for (String line : doc.split("\n")) {
            String l = line.trim().replaceFirst("^\\*\\s?", "");
            if (l.startsWith("@")) {
                break;
            }
            body.append(l).append(' ');
        }
        String text = body.toString().trim();
        text = text.replaceAll("\\{@(?:link|linkplain)\\s+#?([\\w.]+)#(\\w+)(?:\\([^)]*\\))?\\s*}", "$2");
        text = text.replaceAll("\\{@(?:link|linkplain)\\s+#?([\\w.#]+)(?:\\([^)]*\\))?\\s+([^}]+)}", "$2");
        text = text.replaceAll("\\{@(?:link|linkplain)\\s+#?([\\w.]+)(?:\\([^)]*\\))?\\s*}", "$1");
        text = text.replaceAll("\\{@(?:code|literal)\\s+([^}]*)}", "`$1`");
        text = text.replaceAll("\\{@value\\s+#?([\\w.]+)}", "$1");
        text = text.replaceAll("</?(?:p|em|strong|i|b|ul|ol|li|table|tr|td|th|caption|pre|br)\\b[^>]*>", "").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
        return text.replace("|", "\\|").replaceAll("\\s+", " ").trim();
    }

    private static boolean hasField(Class<?> type, String name) {
        return Arrays.stream(type.getDeclaredFields()).anyMatch(f -> f.getName().equals(name));
    }

    static String dotted(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1.$2").toLowerCase(Locale.ROOT);
    }

    static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    private static String anchor(String title) {
        return title.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9 -]", "").replace(' ', '-');
    }

    private static Path core(String file) {
        return module("syncer-core", "io/syncer/" + file);
    }

    private static Path module(String module, String file) {
        return ROOT.resolve(module).resolve("src/main/java").resolve(file);
    }

    /**
     * Writes the reference to {@code args[0]}, or to docs/configuration.md.
     *
     * @param args an optional target file
     * @throws IOException when a source cannot be read or the file written
     */
    public static void main(String[] args) throws IOException {
        Files.writeString(args.length > 0 ? Path.of(args[0]) : DOC, generate());
    }
}
