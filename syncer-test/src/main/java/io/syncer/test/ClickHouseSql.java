package io.syncer.test;

import java.util.List;
import java.util.Objects;

/**
 * A ClickHouse endpoint a test reads back from with raw SQL over HTTP, independently of the client
 * under test: the real server ({@link ClickHouseServer}) or the modern engine behind an emulated
 * front ({@link ChdbServer}), so one assertion helper serves both.
 */
public interface ClickHouseSql {
    /**
     * The HTTP base URL.
     *
     * @return e.g. {@code http://127.0.0.1:8123}, no trailing slash
     */
    String httpUrl();

    /**
     * Runs one statement as a plain POST body without compression and returns the response body.
     *
     * @param sql the statement, with a {@code FORMAT} clause if the caller wants one
     * @return the body as UTF-8 text
     * @throws IllegalStateException when the answer is not 200 (the message has the status and body)
     *     or the endpoint cannot be reached
     */
    String query(String sql);

    /**
     * Runs one statement and ignores its result, as {@link #query(String)}.
     *
     * @param sql the statement, e.g. DDL or an {@code INSERT}
     * @throws IllegalStateException as {@link #query(String)}
     */
    default void execute(String sql) {
        query(sql);
    }

    /**
     * Runs {@code sql + " FORMAT TabSeparated"} and parses the result into rows of columns, undoing
     * TabSeparated's escapes ({@code \t}, {@code \n}, {@code \\}, {@code \r}, {@code \0}, {@code \b},
     * {@code \f}, {@code \'}); a field that is exactly {@code \N} (SQL {@code NULL}) becomes {@code null}.
     *
     * @param sql a query without a {@code FORMAT} clause
     * @return the rows in the server's order, each an unmodifiable list of column values
     * @throws IllegalStateException as {@link #query(String)}
     */
    default List<List<String>> rows(String sql) {
        Objects.requireNonNull(sql, "sql");
        return TabSeparated.parse(query(sql + " FORMAT TabSeparated"));
    }

    /**
     * Returns {@code SELECT count() FROM <table>}.
     *
     * @param table the table, passed verbatim (so {@code db.t} or {@code t FINAL} work)
     * @return the number of rows
     * @throws IllegalStateException as {@link #query(String)}, e.g. if the table does not exist
     */
    default long count(String table) {
        Objects.requireNonNull(table, "table");
        List<List<String>> rows = rows("SELECT count() FROM " + table);
        if (rows.size() != 1 || rows.get(0).size() != 1) {
            throw new IllegalStateException("unexpected count() result for " + table + ": " + rows);
        }
        return Long.parseLong(rows.get(0).get(0));
    }
}
