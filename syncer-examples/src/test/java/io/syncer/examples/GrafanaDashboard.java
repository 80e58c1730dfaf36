package io.syncer.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads docs/grafana/syncer-dashboard.json: the syncer metric names its panels query. */
final class GrafanaDashboard {
    static final Path FILE = Path.of("..", "docs", "grafana", "syncer-dashboard.json");
    private static final Pattern METRIC = Pattern.compile("\\bsyncer_[a-z_]+");

    private GrafanaDashboard() {
    }

    static Set<String> metricNames() throws Exception {
        Set<String> names = new TreeSet<>();
        collect(new ObjectMapper().readTree(FILE.toFile()), names);
        if (names.isEmpty()) {
            throw new AssertionError("no syncer metric in " + FILE);
        }
        return names;
    }

    private static void collect(JsonNode node, Set<String> names) {
        if (node.isObject() && node.has("expr")) {
            Matcher m = METRIC.matcher(node.get("expr").asText());
            while (m.find()) {
                names.add(m.group());
            }
        }
        node.forEach(child -> collect(child, names));
    }
}
