package io.syncer.sink.cls;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One structured log as CLS stores it: a time and key/value contents. A {@link LogMapper} builds one
 * per record; the sink checks it against CLS's limits before upload.
 *
 * @param timeMillis the log's time, epoch milliseconds
 * @param contents the fields, in order; keys must not be empty or start with {@code _}, values at
 *     most {@link ClsSink#MAX_VALUE_BYTES} bytes of UTF-8
 */
public record ClsLogEntry(long timeMillis, Map<String, String> contents) {
    /**
     * Copies the contents, keeping their order.
     *
     * @param timeMillis the log's time, epoch milliseconds
     * @param contents the fields
     */
    public ClsLogEntry {
        Objects.requireNonNull(contents, "contents");
        Map<String, String> copy = new LinkedHashMap<>(contents);
        copy.forEach((k, v) -> {
            Objects.requireNonNull(k, "a content key is null");
            Objects.requireNonNull(v, () -> "the value of '" + k + "' is null");
        });
        contents = java.util.Collections.unmodifiableMap(copy);
    }
}
