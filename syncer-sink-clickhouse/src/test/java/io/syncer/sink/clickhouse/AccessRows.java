package io.syncer.sink.clickhouse;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;

/** The access-log row the ITs and the child pipeline write: its DDL, columns and RowBinary mapper. */
final class AccessRows {
    static final List<String> COLUMNS = List.of("ts", "appid", "path", "status", "bytes", "seq");

    private AccessRows() {
    }

    /** DDL for 18.16 and later: MergeTree, or ReplacingMergeTree keyed by the coordinates. */
    static String ddl(String table, boolean replacing) {
        String cols = "ts DateTime, appid String, path String, status UInt16, bytes UInt64, seq UInt64"
                + (replacing ? ", _topic String, _partition UInt32, _offset UInt64" : "");
        return "CREATE TABLE " + table + " (" + cols + ") ENGINE = "
                + (replacing ? "ReplacingMergeTree() ORDER BY (_topic, _partition, _offset)"
                : "MergeTree() PARTITION BY toYYYYMM(ts) ORDER BY (appid, ts, seq)");
    }

    static final RowMapper<JsonNode> MAPPER = (record, row) -> {
        JsonNode v = record.value();
        row.dateTime(Instant.ofEpochSecond(v.get("ts").asLong())).string(v.get("appid").asText())
                .string(v.get("path").asText()).uint16(v.get("status").asInt()).uint64(v.get("bytes").asLong())
                .uint64(v.get("seq").asLong());
    };
}
