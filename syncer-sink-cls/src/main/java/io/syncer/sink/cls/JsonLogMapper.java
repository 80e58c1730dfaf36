package io.syncer.sink.cls;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.syncer.sink.SinkRecord;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * {@link LogMapper#json()}: an item's JSON fields, flattened, as a CLS log. Immutable and
 * thread-safe; {@link #timeField} and {@link #objectMapper} return new mappers.
 *
 * @param <T> the item type
 */
public final class JsonLogMapper<T> implements LogMapper<T> {
    /** Epoch values below this are seconds, at or above it milliseconds (10^11 s is the year 5138). */
    static final long SECONDS_LIMIT = 100_000_000_000L;
    private static final ObjectMapper DEFAULT_MAPPER = new ObjectMapper();

    private final ObjectMapper mapper;
    private final String timeField;

    private JsonLogMapper(ObjectMapper mapper, String timeField) {
        this.mapper = mapper;
        this.timeField = timeField;
    }

    static <T> JsonLogMapper<T> create() {
        return new JsonLogMapper<>(DEFAULT_MAPPER, null);
    }

    /**
     * Takes the log's time from a top-level field: epoch seconds or milliseconds (a number or
     * numeric text; values below 10^11 are seconds) or ISO-8601 text ({@code 2026-12-01T10:00:00Z}).
     * A record without the field gets its Kafka timestamp; one whose field cannot be read as a time
     * fails, with the reason. The field stays in the contents too.
     *
     * @param field the field's name
     * @return a mapper that does so
     */
    public JsonLogMapper<T> timeField(String field) {
        if (field == null || field.isBlank()) {
            throw new IllegalArgumentException("timeField must not be blank");
        }
        return new JsonLogMapper<>(mapper, field);
    }

    /**
     * The Jackson mapper that binds items and parses JSON text. Default: a plain {@code ObjectMapper}.
     *
     * @param objectMapper the mapper (configured modules, naming strategy...)
     * @return a mapper that uses it
     */
    public JsonLogMapper<T> objectMapper(ObjectMapper objectMapper) {
        return new JsonLogMapper<>(Objects.requireNonNull(objectMapper, "objectMapper"), timeField);
    }

    @Override
    public void map(SinkRecord<T> record, LogBuilder log) throws Exception {
        JsonNode tree = tree(record.value());
        if (tree == null || !tree.isObject()) {
            throw new IllegalArgumentException("the item is not a JSON object but " + (tree == null ? "null" : tree.getNodeType()));
        }
        if (timeField != null) {
            log.time(time(tree, record.source()));
        }
        flatten(null, tree, log);
    }

    private JsonNode tree(Object value) throws java.io.IOException {
        if (value instanceof JsonNode) {
            return (JsonNode) value;
        }
        if (value instanceof ConsumerRecord) {
            value = ((ConsumerRecord<?, ?>) value).value();
        }
        if (value instanceof byte[]) {
            return mapper.readTree(new String((byte[]) value, StandardCharsets.UTF_8));
        }
        if (value instanceof String) {
            return mapper.readTree((String) value);
        }
        return value == null ? null : mapper.valueToTree(value);
    }

    private static void flatten(String prefix, JsonNode node, LogBuilder out) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String key = prefix == null ? field.getKey() : prefix + field.getKey();
            JsonNode v = field.getValue();
            if (v.isObject()) {
                flatten(key + ".", v, out);
            } else if (v.isArray()) {
                out.field(key, v.toString());
            } else if (!v.isNull() && !v.isMissingNode()) {
                out.field(key, v.asText());
            }
        }
    }

    private long time(JsonNode tree, ConsumerRecord<byte[], byte[]> source) {
        JsonNode t = timeField == null ? null : tree.get(timeField);
        if (t == null || t.isNull()) {
            return source.timestamp() >= 0 ? source.timestamp() : System.currentTimeMillis();
        }
        if (t.isIntegralNumber() || t.isTextual() && t.asText().matches("\\d{1,19}")) {
            long v = t.isIntegralNumber() ? t.asLong() : Long.parseLong(t.asText());
            return v < SECONDS_LIMIT ? v * 1000 : v;
        }
        if (t.isNumber()) {
            double v = t.asDouble();
            return v < SECONDS_LIMIT ? (long) (v * 1000) : (long) v;
        }
        try {
            return Instant.parse(t.asText()).toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("field '" + timeField + "' is not a time: " + abbreviate(t.toString()), e);
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }

    @Override
    public String toString() {
        return "LogMapper.json()" + (timeField == null ? "" : ".timeField(" + timeField + ")");
    }
}
