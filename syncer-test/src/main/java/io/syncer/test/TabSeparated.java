package io.syncer.test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * ClickHouse's TabSeparated output read back into rows of columns, with its escapes undone and
 * {@code \\N} as {@code null}: how {@link ClickHouseServer} and {@link ChdbServer} return query results.
 */
final class TabSeparated {
    private TabSeparated() {
    }

    /** Parses a TabSeparated body: rows end with {@code \n}, columns are separated by {@code \t}. */
    static List<List<String>> parse(String body) {
        List<List<String>> rows = new ArrayList<>();
        List<String> row = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean rawNull = false;
        int length = body.length();
        for (int i = 0; i < length; i++) {
            char c = body.charAt(i);
            if (c == '\t' || c == '\n') {
                row.add(rawNull && field.length() == 0 ? null : field.toString());
                field.setLength(0);
                rawNull = false;
                if (c == '\n') {
                    rows.add(Collections.unmodifiableList(row));
                    row = new ArrayList<>();
                }
            } else if (c == '\\' && i + 1 < length) {
                char escaped = body.charAt(++i);
                if (escaped == 'N' && field.length() == 0 && (i + 1 == length || body.charAt(i + 1) == '\t'
                        || body.charAt(i + 1) == '\n')) {
                    rawNull = true;
                } else {
                    field.append(unescape(escaped));
                }
            } else {
                field.append(c);
            }
        }
        if (field.length() > 0 || rawNull || !row.isEmpty()) {
            // the last row lacks its line feed
            row.add(rawNull && field.length() == 0 ? null : field.toString());
            rows.add(Collections.unmodifiableList(row));
        }
        return Collections.unmodifiableList(rows);
    }

    private static char unescape(char escaped) {
        switch (escaped) {
            case 't':
                return '\t';
            case 'n':
                return '\n';
            case 'r':
                return '\r';
            case '0':
                return '\0';
            case 'b':
                return '\b';
            case 'f':
                return '\f';
            default:
                // \\ and \' and anything else stand for themselves
                return escaped;
        }
    }
}
