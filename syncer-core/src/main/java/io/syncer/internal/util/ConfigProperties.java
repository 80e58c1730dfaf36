package io.syncer.internal.util;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Maps a {@link Properties} file onto a builder's setters, so a file and code share one validation
 * path. Keys under {@code prefix} must be known; keys under {@code kafkaPrefix} are passed to the Kafka
 * client with the prefix removed; other keys are ignored (they may belong to another component).
 */
public final class ConfigProperties {
    private final String prefix;
    private final String kafkaPrefix;
    private final Map<String, Consumer<String>> setters = new LinkedHashMap<>();
    private final Map<String, String> kinds = new LinkedHashMap<>();

    /**
     * @param prefix namespace of this component's keys, e.g. {@code syncer.consumer.}
     * @param kafkaPrefix namespace of pass-through client keys, e.g. {@code kafka.}
     */
    public ConfigProperties(String prefix, String kafkaPrefix) {
        this.prefix = prefix;
        this.kafkaPrefix = kafkaPrefix;
    }

    /** Registers a string-valued key (without the prefix). */
    public ConfigProperties string(String key, Consumer<String> setter) {
        return register(key, "text", setter);
    }

    /** Registers a string-valued key whose value is one of {@code choices} (described, e.g. {@code earliest|latest}). */
    public ConfigProperties choice(String key, String choices, Consumer<String> setter) {
        return register(key, choices, setter);
    }

    /** Registers a boolean key ({@code true} or {@code false}). */
    public ConfigProperties bool(String key, Consumer<Boolean> setter) {
        return register(key, "true|false", v -> {
            if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
                throw new IllegalArgumentException(prefix + key + " must be true or false, got '" + v + "'");
            }
            setter.accept(Boolean.parseBoolean(v));
        });
    }

    /** Registers an int-valued key. */
    public ConfigProperties integer(String key, Consumer<Integer> setter) {
        return register(key, "integer", v -> setter.accept(parseInt(prefix + key, v)));
    }

    /** Registers a long-valued key. */
    public ConfigProperties longValue(String key, Consumer<Long> setter) {
        return register(key, "integer", v -> setter.accept(parseLong(prefix + key, v)));
    }

    /** Registers a duration-valued key (see {@link Durations#parse}). */
    public ConfigProperties duration(String key, Consumer<Duration> setter) {
        return register(key, "duration", v -> setter.accept(Durations.parse(prefix + key, v)));
    }

    /** Every registered key (with the prefix) and the kind of value it takes, in registration order. */
    public Map<String, String> keys() {
        return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(kinds));
    }

    private ConfigProperties register(String key, String kind, Consumer<String> setter) {
        setters.put(prefix + key, setter);
        kinds.put(prefix + key, kind);
        return this;
    }

    /** Registers a comma-separated list key. */
    public ConfigProperties list(String key, Consumer<List<String>> setter) {
        return register(key, "comma-separated list", v -> {
            List<String> items = new ArrayList<>();
            for (String s : v.split(",")) {
                if (!s.isBlank()) {
                    items.add(s.trim());
                }
            }
            setter.accept(items);
        });
    }

    /**
     * Applies {@code props}: known keys through their setters, Kafka keys into {@code kafkaSink}.
     *
     * @throws IllegalArgumentException for an unknown key under the prefix, or a bad value
     */
    public void apply(Properties props, Consumer<Map<String, Object>> kafkaSink) {
        Map<String, Object> kafka = new LinkedHashMap<>();
        Set<String> names = new TreeSet<>(props.stringPropertyNames());
        for (String name : names) {
            String value = props.getProperty(name);
            if (name.startsWith(prefix)) {
                Consumer<String> setter = setters.get(name);
                if (setter == null) {
                    throw new IllegalArgumentException("unknown setting '" + name + "'; known: " + setters.keySet());
                }
                setter.accept(value.trim());
            } else if (name.startsWith(kafkaPrefix)) {
                kafka.put(name.substring(kafkaPrefix.length()), value);
            }
        }
        if (!kafka.isEmpty()) {
            kafkaSink.accept(kafka);
        }
    }

    private static int parseInt(String key, String v) {
        try {
            return Integer.parseInt(v.trim().replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": not an integer: '" + v + "'", e);
        }
    }

    private static long parseLong(String key, String v) {
        try {
            return Long.parseLong(v.trim().replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": not an integer: '" + v + "'", e);
        }
    }
}
