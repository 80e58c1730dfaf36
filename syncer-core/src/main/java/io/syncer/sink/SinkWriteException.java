package io.syncer.sink;

import io.syncer.SyncerException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A sink's failure to write records, with the sink's name and the vendor's details as fields: an
 * error code, a request id, a server message. When such a failure dead-letters a record, core adds
 * the sink as header {@link io.syncer.failure.DeadLetterHeaders#SINK} and every detail as a header
 * {@link io.syncer.failure.DeadLetterHeaders#DETAIL_PREFIX}{@code <key>}, so an operator sees the
 * vendor's own words next to the record.
 *
 * <p>Sinks translate their client's errors into this type once, at the sink edge; whether it is
 * retriable is decided there (throttling, timeouts, 5xx are; schema and 4xx are not).
 */
public class SinkWriteException extends SyncerException {
    private static final long serialVersionUID = 1L;

    private final String sink;
    private final boolean retriable;
    private final transient Map<String, String> details;

    /**
     * Creates the exception.
     *
     * @param sink the sink's name
     * @param message what went wrong, never containing credentials
     * @param retriable whether writing the same record again may succeed
     * @param details vendor details (error code, request id...), in the order given; keys of
     *     letters, digits, '.', '_' or '-'
     * @param cause the client's exception, or {@code null}
     */
    public SinkWriteException(String sink, String message, boolean retriable, Map<String, String> details, Throwable cause) {
        super(message, cause);
        this.sink = Objects.requireNonNull(sink, "sink");
        this.retriable = retriable;
        Map<String, String> copy = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : details.entrySet()) {
            if (!e.getKey().matches("[A-Za-z0-9._-]+")) {
                throw new IllegalArgumentException("detail key must match [A-Za-z0-9._-]+, got '" + e.getKey() + "'");
            }
            if (e.getValue() != null) {
                copy.put(e.getKey(), e.getValue());
            }
        }
        this.details = java.util.Collections.unmodifiableMap(copy);
    }

    /** @return the sink's name */
    public String sink() {
        return sink;
    }

    /** @return the vendor's details, unmodifiable, never {@code null} values */
    public Map<String, String> details() {
        return details == null ? Map.of() : details;
    }

    @Override
    public boolean isRetriable() {
        return retriable;
    }
}
