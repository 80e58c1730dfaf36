package io.syncer.sink.clickhouse;

import com.clickhouse.client.api.ServerException;
import io.syncer.sink.SinkResult;
import io.syncer.sink.SinkWriteException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How one insert ended, translated once from client-v2's exceptions and ClickHouse's error codes
 * into core's results: the one place that knows the codes.
 */
final class ClickHouseOutcome {
    /** Detail keys added to a dead letter's headers (after {@code syncer.dlt.detail.}). */
    static final String CODE = "clickhouse.error.code";
    static final String MESSAGE = "clickhouse.error.message";
    static final String TABLE = "clickhouse.table";
    static final String QUERY_ID = "clickhouse.query.id";

    /**
     * Retried: the codes ClickHouse's own Kafka connector retries (timeouts, network, too many
     * parts or simultaneous queries, memory, keeper) and 999.
     */
    static final Set<Integer> RETRIABLE = Set.of(3, 107, 159, 164, 202, 203, 209, 210, 241, 242, 252, 285, 319, 425, 999);
    /**
     * The insert's table cannot take writes (unknown table, database or column, no rights on it):
     * that table's records are held and probed alone, the other tables go on; nothing is
     * dead-lettered.
     */
    static final Set<Integer> DESTINATION = Set.of(16, 47, 60, 81, 291, 497);
    /** The sink as a whole cannot write: unknown user, wrong or missing password, address not allowed. */
    static final Set<Integer> SINK_WIDE = Set.of(192, 193, 194, 195, 516);

    /** What the failure says about the rows of the insert. */
    enum Kind {
        /** Transient: retry the rows. */
        RETRY(SinkResult.Status.RETRY),
        /** The data is at fault: split the insert to find the row, then fail it alone. */
        ROWS(SinkResult.Status.FAIL),
        /** The table is at fault (missing, no rights): hold its rows. */
        DESTINATION(SinkResult.Status.DESTINATION_UNAVAILABLE),
        /** The credentials are at fault, or the server does not answer: hold every row. */
        UNAVAILABLE(SinkResult.Status.UNAVAILABLE);

        /** The core status every record of the call gets, unless the call is split first. */
        final SinkResult.Status status;

        Kind(SinkResult.Status status) {
            this.status = status;
        }
    }

    /** 18.16 writes "Code: 60, e.displayText() = ..."; current servers "Code: 60. DB::Exception: ...". */
    private static final Pattern CODE_IN_TEXT = Pattern.compile("Code: (\\d+)[.,]");

    final Kind kind;
    final SinkWriteException error;

    private ClickHouseOutcome(Kind kind, SinkWriteException error) {
        this.kind = kind;
        this.error = error;
    }

    static ClickHouseOutcome of(String sink, String table, Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        int code = -1;
        String queryId = null;
        int httpStatus = -1;
        if (t instanceof ServerException) {
            ServerException se = (ServerException) t;
            code = se.getCode();
            queryId = se.getQueryId();
            httpStatus = se.getTransportProtocolCode();
        }
        String message = String.valueOf(t.getMessage());
        if (code <= 0) {
            Matcher m = CODE_IN_TEXT.matcher(message);
            if (m.find()) {
                code = Integer.parseInt(m.group(1));
            }
        }
        Kind kind;
        if (code > 0 && RETRIABLE.contains(code)) {
            kind = Kind.RETRY;
        } else if (code > 0 && DESTINATION.contains(code)) {
            kind = Kind.DESTINATION;
        } else if (code > 0 && SINK_WIDE.contains(code) || httpStatus == 401) {
            kind = Kind.UNAVAILABLE;
        } else if (code > 0) {
            kind = Kind.ROWS;
        } else {
            // transport: refused, reset, timed out, 5xx without a code; the server is not answering, so every row
            // is held and the sink probed: an outage of any length spends no retries and dead-letters nothing
            kind = Kind.UNAVAILABLE;
        }
        Map<String, String> details = new LinkedHashMap<>();
        details.put(CODE, code > 0 ? Integer.toString(code) : null);
        details.put(MESSAGE, message.length() > 500 ? message.substring(0, 500) : message);
        details.put(TABLE, table);
        details.put(QUERY_ID, queryId);
        String text = "sink " + sink + ": insert into " + table + " failed"
                + (code > 0 ? " (code " + code + ")" : "") + ": " + message;
        return new ClickHouseOutcome(kind, new SinkWriteException(sink, text, kind != Kind.ROWS, details, t));
    }

    SinkResult result() {
        return SinkResult.of(kind.status, error);
    }
}
