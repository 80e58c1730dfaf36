package io.syncer.sink.clickhouse;

import java.util.regex.Pattern;

/**
 * The one rule for table and column names: plain identifiers ({@code [A-Za-z_][A-Za-z0-9_]*}, at most
 * 200 characters), a table optionally as {@code database.table}. Anything else (a tenant id with a
 * quote, a backtick, a space or {@code ;}) is refused before any SQL is built, and accepted names
 * are backtick-quoted anyway, so no route can inject SQL.
 */
final class TableNames {
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,199}");

    private TableNames() {
    }

    static boolean isIdentifier(String name) {
        return name != null && IDENTIFIER.matcher(name).matches();
    }

    /** The quoted table, or {@code null} when {@code name} is not a valid table name. */
    static String quotedTable(String name) {
        if (name == null) {
            return null;
        }
        int dot = name.indexOf('.');
        if (dot < 0) {
            return isIdentifier(name) ? "`" + name + "`" : null;
        }
        String db = name.substring(0, dot);
        String table = name.substring(dot + 1);
        return isIdentifier(db) && isIdentifier(table) ? "`" + db + "`.`" + table + "`" : null;
    }
}
