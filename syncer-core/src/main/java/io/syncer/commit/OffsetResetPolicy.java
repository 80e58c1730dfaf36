package io.syncer.commit;

import java.time.Duration;
import java.util.Objects;

/**
 * What to do when a partition's position is out of range: its committed offset (or the position it
 * reached) is below the log start (records deleted by retention or {@code deleteRecords}) or beyond
 * the log end (a truncated or re-created topic).
 *
 * <p>The default, {@link #failPartition()}, never moves the position silently: the partition is
 * paused and reported as failed in the manager's health until an operator decides. The other
 * policies are explicit choices and are logged at WARN each time they apply.
 *
 * <p>Immutable and thread-safe.
 */
public final class OffsetResetPolicy {
    /** The kind of reaction. */
    public enum Kind {
        /** Pause the partition, commit nothing for it and report it (the default). */
        FAIL,
        /** Seek to the first record still in the log. */
        EARLIEST,
        /** Seek to the log end. */
        LATEST,
        /** Seek to the first record whose timestamp is at most {@link #lookBack()} old. */
        BY_DURATION
    }

    private static final OffsetResetPolicy FAIL = new OffsetResetPolicy(Kind.FAIL, null);
    private static final OffsetResetPolicy TO_EARLIEST = new OffsetResetPolicy(Kind.EARLIEST, null);
    private static final OffsetResetPolicy TO_LATEST = new OffsetResetPolicy(Kind.LATEST, null);

    private final Kind kind;
    private final Duration lookBack;

    private OffsetResetPolicy(Kind kind, Duration lookBack) {
        this.kind = kind;
        this.lookBack = lookBack;
    }

    /**
     * Fail the partition closed: pause it, leave its committed offset unchanged and report it as
     * failed in the manager's health. This is the default.
     *
     * @return the policy
     */
    public static OffsetResetPolicy failPartition() {
        return FAIL;
    }

    /**
     * Seek to the earliest record still in the log (what sarama's {@code OffsetOldest} did
     * silently).
     *
     * @return the policy
     */
    public static OffsetResetPolicy toEarliest() {
        return TO_EARLIEST;
    }

    /**
     * Seek to the log end, skipping everything currently in the partition.
     *
     * @return the policy
     */
    public static OffsetResetPolicy toLatest() {
        return TO_LATEST;
    }

    /**
     * Seek to the first record with a timestamp at or after {@code now - lookBack}; to the log end
     * if there is none.
     *
     * @param lookBack how far back to start, positive
     * @return the policy
     */
    public static OffsetResetPolicy byDuration(Duration lookBack) {
        Objects.requireNonNull(lookBack, "lookBack");
        if (lookBack.isNegative() || lookBack.isZero()) {
            throw new IllegalArgumentException("lookBack must be positive, got " + lookBack);
        }
        return new OffsetResetPolicy(Kind.BY_DURATION, lookBack);
    }

    /**
     * Parses {@code fail}, {@code earliest}, {@code latest} or {@code by-duration:<duration>}
     * (for properties files).
     *
     * @param text the policy name
     * @param lookBackParser parses the duration part
     * @return the policy
     */
    public static OffsetResetPolicy parse(String text, java.util.function.Function<String, Duration> lookBackParser) {
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        if (t.equals("fail")) {
            return FAIL;
        } else if (t.equals("earliest")) {
            return TO_EARLIEST;
        } else if (t.equals("latest")) {
            return TO_LATEST;
        } else if (t.startsWith("by-duration:")) {
            return byDuration(lookBackParser.apply(text.trim().substring("by-duration:".length())));
        }
        throw new IllegalArgumentException(
                "unknown offset reset policy '" + text + "' (fail, earliest, latest, by-duration:<duration>)");
    }

    /**
     * The kind of reaction.
     *
     * @return the kind
     */
    public Kind kind() {
        return kind;
    }

    /**
     * How far back {@link Kind#BY_DURATION} starts.
     *
     * @return the look-back, or {@code null} for other kinds
     */
    public Duration lookBack() {
        return lookBack;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OffsetResetPolicy
                && ((OffsetResetPolicy) o).kind == kind
                && Objects.equals(((OffsetResetPolicy) o).lookBack, lookBack);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, lookBack);
    }

    @Override
    public String toString() {
        return kind == Kind.BY_DURATION ? "by-duration:" + lookBack : kind.name().toLowerCase(java.util.Locale.ROOT);
    }
}
