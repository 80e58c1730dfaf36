package io.syncer.sink;

import io.syncer.internal.util.Require;
import java.time.Duration;

/**
 * How core batches records for a sink: a batch is written when it holds {@link #maxRecords()}
 * records or {@link #maxBytes()} bytes, or {@link #linger()} after its first record, with at most
 * {@link #maxInFlight()} batches being written at once (further records wait, which backs up into
 * the queue and from there pauses the consumer).
 *
 * <p>Immutable and thread-safe.
 */
public final class BatchPolicy {
    /** Default {@link Builder#maxRecords}: 500 records. */
    public static final int DEFAULT_MAX_RECORDS = 500;
    /** Default {@link Builder#maxBytes}: 1 MiB. */
    public static final long DEFAULT_MAX_BYTES = 1024 * 1024;
    /** Default {@link Builder#linger}: 20 ms. */
    public static final Duration DEFAULT_LINGER = Duration.ofMillis(20);
    /** Default {@link Builder#maxInFlight}: 2 batches. */
    public static final int DEFAULT_MAX_IN_FLIGHT = 2;
    /** Default first wait of {@link Builder#unavailableBackoff}: 1 s. */
    public static final Duration DEFAULT_UNAVAILABLE_BACKOFF = Duration.ofSeconds(1);
    /** Default longest wait of {@link Builder#unavailableBackoff}: 30 s. */
    public static final Duration DEFAULT_MAX_UNAVAILABLE_BACKOFF = Duration.ofSeconds(30);

    private final int maxRecords;
    private final long maxBytes;
    private final Duration linger;
    private final int maxInFlight;
    private final Duration unavailableBackoff;
    private final Duration maxUnavailableBackoff;

    private BatchPolicy(Builder b) {
        this.maxRecords = b.maxRecords;
        this.maxBytes = b.maxBytes;
        this.linger = b.linger;
        this.maxInFlight = b.maxInFlight;
        this.unavailableBackoff = b.unavailableBackoff;
        this.maxUnavailableBackoff = b.maxUnavailableBackoff;
    }

    /**
     * The defaults: 500 records, 1 MiB, 20 ms, 2 batches in flight.
     *
     * @return the policy
     */
    public static BatchPolicy ofDefaults() {
        return builder().build();
    }

    /**
     * A new builder with every default.
     *
     * @return the builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** @return records per batch at most */
    public int maxRecords() {
        return maxRecords;
    }

    /** @return bytes per batch at most (a single larger record forms a batch alone) */
    public long maxBytes() {
        return maxBytes;
    }

    /** @return how long a batch waits for more records after its first */
    public Duration linger() {
        return linger;
    }

    /** @return batches being written at once, at most */
    public int maxInFlight() {
        return maxInFlight;
    }

    /**
     * How long the first write waits after the sink answered {@link SinkResult.Status#UNAVAILABLE};
     * each further wait doubles, up to {@link #maxUnavailableBackoff()}.
     *
     * @return the first wait
     */
    public Duration unavailableBackoff() {
        return unavailableBackoff;
    }

    /** @return the longest wait between writes while the sink is unavailable */
    public Duration maxUnavailableBackoff() {
        return maxUnavailableBackoff;
    }

    /**
     * A builder starting from this policy's values.
     *
     * @return the builder
     */
    public Builder toBuilder() {
        return new Builder().maxRecords(maxRecords).maxBytes(maxBytes).linger(linger).maxInFlight(maxInFlight)
                .unavailableBackoff(unavailableBackoff, maxUnavailableBackoff);
    }

    @Override
    public String toString() {
        return "BatchPolicy{maxRecords=" + maxRecords + ", maxBytes=" + maxBytes + ", linger=" + linger
                + ", maxInFlight=" + maxInFlight + ", unavailableBackoff=" + unavailableBackoff + ".."
                + maxUnavailableBackoff + '}';
    }

    /** Validating builder; not thread-safe. */
    public static final class Builder {
        private int maxRecords = DEFAULT_MAX_RECORDS;
        private long maxBytes = DEFAULT_MAX_BYTES;
        private Duration linger = DEFAULT_LINGER;
        private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;
        private Duration unavailableBackoff = DEFAULT_UNAVAILABLE_BACKOFF;
        private Duration maxUnavailableBackoff = DEFAULT_MAX_UNAVAILABLE_BACKOFF;

        private Builder() {
        }

        /**
         * Records per batch at most. Default {@link #DEFAULT_MAX_RECORDS}.
         *
         * @param max at least 1
         * @return this builder
         */
        public Builder maxRecords(int max) {
            this.maxRecords = Require.positive("maxRecords", max);
            return this;
        }

        /**
         * Bytes per batch at most. Default {@link #DEFAULT_MAX_BYTES} (1 MiB).
         *
         * @param max at least 1
         * @return this builder
         */
        public Builder maxBytes(long max) {
            this.maxBytes = Require.positive("maxBytes", max);
            return this;
        }

        /**
         * How long a batch waits for more records after its first. Default {@link #DEFAULT_LINGER}.
         *
         * @param linger zero or more
         * @return this builder
         */
        public Builder linger(Duration linger) {
            this.linger = Require.nonNegative("linger", linger);
            return this;
        }

        /**
         * Batches being written at once, at most. Default {@link #DEFAULT_MAX_IN_FLIGHT}.
         *
         * @param max at least 1
         * @return this builder
         */
        public Builder maxInFlight(int max) {
            this.maxInFlight = Require.positive("maxInFlight", max);
            return this;
        }

        /**
         * How long writes wait while the sink is unavailable ({@link SinkResult#unavailable}): one
         * write (a probe) after {@code first}, then after twice as long each time, at most
         * {@code max}; the other batches wait until a write succeeds. Defaults
         * {@link #DEFAULT_UNAVAILABLE_BACKOFF} and {@link #DEFAULT_MAX_UNAVAILABLE_BACKOFF}.
         *
         * @param first more than zero
         * @param max at least {@code first}
         * @return this builder
         */
        public Builder unavailableBackoff(Duration first, Duration max) {
            Require.positive("unavailableBackoff", first);
            Require.positive("maxUnavailableBackoff", max);
            if (max.compareTo(first) < 0) {
                throw new IllegalArgumentException("maxUnavailableBackoff " + max + " is below unavailableBackoff " + first);
            }
            this.unavailableBackoff = first;
            this.maxUnavailableBackoff = max;
            return this;
        }

        /**
         * Builds the policy.
         *
         * @return the policy
         */
        public BatchPolicy build() {
            return new BatchPolicy(this);
        }
    }
}
