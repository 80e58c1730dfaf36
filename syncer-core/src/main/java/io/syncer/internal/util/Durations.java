package io.syncer.internal.util;

import java.time.Duration;
import java.util.Locale;

/** Parses durations from configuration text: ISO-8601 ({@code PT5S}) or a number with a unit. */
public final class Durations {
    private Durations() {
    }

    /**
     * Parses {@code text} as {@code PT…} or as {@code <n>ms}, {@code <n>s}, {@code <n>m},
     * {@code <n>h}, {@code <n>d}.
     *
     * @throws IllegalArgumentException naming {@code key} when the text is neither
     */
    public static Duration parse(String key, String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.startsWith("pt") || t.startsWith("p")) {
                return Duration.parse(text.trim());
            }
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2).trim()));
            }
            long n = Long.parseLong(t.substring(0, t.length() - 1).trim());
            switch (t.charAt(t.length() - 1)) {
                case 's':
                    return Duration.ofSeconds(n);
                case 'm':
                    return Duration.ofMinutes(n);
                case 'h':
                    return Duration.ofHours(n);
                case 'd':
                    return Duration.ofDays(n);
                default:
                    break;
            }
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    key + ": cannot parse duration '" + text + "' (use e.g. 500ms, 5s, 2m or PT5S)", e);
        }
        throw new IllegalArgumentException(
                key + ": cannot parse duration '" + text + "' (use e.g. 500ms, 5s, 2m or PT5S)");
    }
}
