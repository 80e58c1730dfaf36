package io.syncer.failure;

import io.syncer.internal.util.Require;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How often and how long a failed record is retried before its {@link DeadLetterPolicy} decides:
 * at most {@link #maxAttempts()} attempts and at most {@link #maxElapsed()} since the first one,
 * whichever comes first, with exponential backoff and jitter between attempts. A retrying record
 * blocks only its ordering key (in {@code KEY} mode), never other keys or partitions.
 *
 * <p>Immutable and thread-safe.
 */
public final class RetryPolicy {
    /** Default {@link Builder#maxAttempts}: 10 attempts (the first plus 9 retries). */
    public static final int DEFAULT_MAX_ATTEMPTS = 10;
    /** Default {@link Builder#maxElapsed}: 5 minutes from the first attempt. */
    public static final Duration DEFAULT_MAX_ELAPSED = Duration.ofMinutes(5);
    /** Default {@link Builder#initialBackoff}: 100 ms. */
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(100);
    /** Default {@link Builder#maxBackoff}: 10 s. */
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(10);
    /** Default {@link Builder#multiplier}: 2.0. */
    public static final double DEFAULT_MULTIPLIER = 2.0;
    /** Default {@link Builder#jitter}: 0.2 (each backoff is drawn from ±20% of its nominal value). */
    public static final double DEFAULT_JITTER = 0.2;

    private static final RetryPolicy DEFAULTS = builder().build();

    private final int maxAttempts;
    private final Duration maxElapsed;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final double multiplier;
    private final double jitter;

    private RetryPolicy(Builder b) {
        this.maxAttempts = b.maxAttempts;
        this.maxElapsed = b.maxElapsed;
        this.initialBackoff = b.initialBackoff;
        this.maxBackoff = b.maxBackoff;
        this.multiplier = b.multiplier;
        this.jitter = b.jitter;
    }

    /**
     * The defaults: 10 attempts within 5 minutes, backoff 100 ms doubling to 10 s, ±20% jitter.
     *
     * @return the policy
     */
    public static RetryPolicy ofDefaults() {
        return DEFAULTS;
    }

    /**
     * One attempt, no retry: every failure goes to the dead-letter policy at once.
     *
     * @return the policy
     */
    public static RetryPolicy noRetries() {
        return builder().maxAttempts(1).build();
    }

    /**
     * Retry retriable failures without limit (fatal ones still go to the dead-letter policy).
     *
     * @return the policy
     */
    public static RetryPolicy forever() {
        return builder().maxAttempts(Integer.MAX_VALUE).maxElapsed(Duration.ofSeconds(Long.MAX_VALUE)).build();
    }

    /**
     * A new builder with every default.
     *
     * @return the builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the most attempts a record gets, the first included */
    public int maxAttempts() {
        return maxAttempts;
    }

    /** @return the longest time from the first attempt after which no retry starts */
    public Duration maxElapsed() {
        return maxElapsed;
    }

    /** @return the backoff before the first retry */
    public Duration initialBackoff() {
        return initialBackoff;
    }

    /** @return the largest backoff */
    public Duration maxBackoff() {
        return maxBackoff;
    }

    /** @return the factor between consecutive backoffs */
    public double multiplier() {
        return multiplier;
    }

    /** @return the relative jitter applied to each backoff */
    public double jitter() {
        return jitter;
    }

    /**
     * Whether a record that failed {@code attempts} times, the first {@code elapsed} ago, gets
     * another attempt.
     *
     * @param attempts attempts made so far, at least 1
     * @param elapsed time since the first attempt started
     * @return {@code true} to retry
     */
    public boolean shouldRetry(int attempts, Duration elapsed) {
        return attempts < maxAttempts && elapsed.compareTo(maxElapsed) < 0;
    }

    /**
     * The backoff before attempt {@code attempts + 1}, with jitter.
     *
     * @param attempts attempts made so far, at least 1
     * @return the delay
     */
    public Duration backoff(int attempts) {
        double nominal = initialBackoff.toMillis() * Math.pow(multiplier, Math.max(0, attempts - 1));
        double capped = Math.min(nominal, maxBackoff.toMillis());
        double factor = 1 + jitter * (2 * ThreadLocalRandom.current().nextDouble() - 1);
        return Duration.ofMillis(Math.max(1, Math.round(capped * factor)));
    }

    @Override
    public String toString() {
        return "RetryPolicy{maxAttempts=" + maxAttempts + ", maxElapsed=" + maxElapsed + ", backoff=" + initialBackoff
                + ".." + maxBackoff + " x" + multiplier + " ±" + jitter + '}';
    }

    /** Validating builder; not thread-safe. */
    public static final class Builder {
        private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
        private Duration maxElapsed = DEFAULT_MAX_ELAPSED;
        private Duration initialBackoff = DEFAULT_INITIAL_BACKOFF;
        private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
        private double multiplier = DEFAULT_MULTIPLIER;
        private double jitter = DEFAULT_JITTER;

        private Builder() {
        }

        /**
         * Most attempts per record, the first included. Default {@link #DEFAULT_MAX_ATTEMPTS}.
         *
         * @param maxAttempts at least 1
         * @return this builder
         */
        public Builder maxAttempts(int maxAttempts) {
            this.maxAttempts = Require.positive("maxAttempts", maxAttempts);
            return this;
        }

        /**
         * No retry starts later than this after the first attempt. Default
         * {@link #DEFAULT_MAX_ELAPSED} (5 min).
         *
         * @param maxElapsed positive
         * @return this builder
         */
        public Builder maxElapsed(Duration maxElapsed) {
            this.maxElapsed = Require.positive("maxElapsed", maxElapsed);
            return this;
        }

        /**
         * Backoff before the first retry. Default {@link #DEFAULT_INITIAL_BACKOFF} (100 ms).
         *
         * @param backoff positive
         * @return this builder
         */
        public Builder initialBackoff(Duration backoff) {
            this.initialBackoff = Require.positive("initialBackoff", backoff);
            return this;
        }

        /**
         * Largest backoff. Default {@link #DEFAULT_MAX_BACKOFF} (10 s).
         *
         * @param backoff positive
         * @return this builder
         */
        public Builder maxBackoff(Duration backoff) {
            this.maxBackoff = Require.positive("maxBackoff", backoff);
            return this;
        }

        /**
         * Factor between consecutive backoffs. Default {@link #DEFAULT_MULTIPLIER}.
         *
         * @param multiplier at least 1
         * @return this builder
         */
        public Builder multiplier(double multiplier) {
            Require.argument(multiplier >= 1, "multiplier must be at least 1, got %s", multiplier);
            this.multiplier = multiplier;
            return this;
        }

        /**
         * Relative jitter of each backoff. Default {@link #DEFAULT_JITTER}.
         *
         * @param jitter from 0 (none) to below 1
         * @return this builder
         */
        public Builder jitter(double jitter) {
            Require.argument(jitter >= 0 && jitter < 1, "jitter must be in [0, 1), got %s", jitter);
            this.jitter = jitter;
            return this;
        }

        /**
         * Validates and builds.
         *
         * @return the policy
         * @throws IllegalArgumentException if {@code maxBackoff < initialBackoff}
         */
        public RetryPolicy build() {
            Objects.requireNonNull(maxElapsed);
            Require.argument(maxBackoff.compareTo(initialBackoff) >= 0,
                    "maxBackoff (%s) must not be below initialBackoff (%s)", maxBackoff, initialBackoff);
            return new RetryPolicy(this);
        }
    }
}
