package io.syncer.internal.util;

import java.time.Duration;
import java.util.Objects;

/** Argument checks for the validating builders; each throws at once with the setting's name. */
public final class Require {
    private Require() {
    }

    /** Throws {@link IllegalArgumentException} with {@code message} unless {@code condition}. */
    public static void argument(boolean condition, String message, Object... args) {
        if (!condition) {
            throw new IllegalArgumentException(String.format(message, args));
        }
    }

    /** Returns {@code value} when it is {@code >= 1}. */
    public static int positive(String name, int value) {
        argument(value >= 1, "%s must be at least 1, got %s", name, value);
        return value;
    }

    /** Returns {@code value} when it is {@code >= 1}. */
    public static long positive(String name, long value) {
        argument(value >= 1, "%s must be at least 1, got %s", name, value);
        return value;
    }

    /** Returns {@code value} when it is non-null and strictly positive. */
    public static Duration positive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        argument(!value.isNegative() && !value.isZero(), "%s must be positive, got %s", name, value);
        return value;
    }

    /** Returns {@code value} when it is non-null and not negative. */
    public static Duration nonNegative(String name, Duration value) {
        Objects.requireNonNull(value, name);
        argument(!value.isNegative(), "%s must not be negative, got %s", name, value);
        return value;
    }

    /** Returns {@code value} when it is non-null and not blank. */
    public static String notBlank(String name, String value) {
        Objects.requireNonNull(value, name);
        argument(!value.isBlank(), "%s must not be blank", name);
        return value;
    }

    /** Returns {@code value} when {@code 0 < value < 1}. */
    public static double fraction(String name, double value) {
        argument(value > 0 && value < 1, "%s must be between 0 and 1 (exclusive), got %s", name, value);
        return value;
    }
}
