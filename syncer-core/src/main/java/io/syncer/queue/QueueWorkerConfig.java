package io.syncer.queue;

import io.syncer.internal.util.ConfigProperties;
import io.syncer.internal.util.Require;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;

/**
 * Immutable configuration of a {@link QueueWorker}. Build with {@link #builder()} or
 * {@link #fromProperties} (keys under {@value #PREFIX}); both validate the same way.
 */
public final class QueueWorkerConfig {
    /** Prefix of this configuration's keys in a properties file. */
    public static final String PREFIX = "syncer.worker.";

    /** Default {@link Builder#name}: {@code "queue"}. */
    public static final String DEFAULT_NAME = "queue";
    /** Default {@link Builder#workers}: 4 threads. */
    public static final int DEFAULT_WORKERS = 4;
    /** Default {@link Builder#maxInFlight}: 256 items (matters for asynchronous workers). */
    public static final int DEFAULT_MAX_IN_FLIGHT = 256;
    /** Default {@link Builder#ordering}: {@link OrderingMode#KEY}. */
    public static final OrderingMode DEFAULT_ORDERING = OrderingMode.KEY;
    /** Default {@link Builder#retryBackoff}: 100 ms initially. */
    public static final Duration DEFAULT_RETRY_BACKOFF = Duration.ofMillis(100);
    /** Default {@link Builder#maxRetryBackoff}: 10 s. */
    public static final Duration DEFAULT_MAX_RETRY_BACKOFF = Duration.ofSeconds(10);

    private final String name;
    private final int workers;
    private final int maxInFlight;
    private final OrderingMode ordering;
    private final Duration retryBackoff;
    private final Duration maxRetryBackoff;

    private QueueWorkerConfig(Builder b) {
        this.name = b.name;
        this.workers = b.workers;
        this.maxInFlight = b.maxInFlight;
        this.ordering = b.ordering;
        this.retryBackoff = b.retryBackoff;
        this.maxRetryBackoff = b.maxRetryBackoff;
    }

    /**
     * A configuration with every default.
     *
     * @return the configuration
     */
    public static QueueWorkerConfig ofDefaults() {
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

    /**
     * Builds from properties: {@code syncer.worker.name}, {@code .workers}, {@code .max.in.flight},
     * {@code .ordering} (key|partition|unordered), {@code .retry.backoff},
     * {@code .max.retry.backoff}.
     *
     * @param props the properties
     * @return the validated configuration
     * @throws IllegalArgumentException on an unknown {@code syncer.worker.} key or a bad value
     */
    public static QueueWorkerConfig fromProperties(Properties props) {
        Builder b = builder();
        new ConfigProperties(PREFIX, PREFIX + "unused.")
                .string("name", b::name)
                .integer("workers", b::workers)
                .integer("max.in.flight", b::maxInFlight)
                .string("ordering", v -> b.ordering(OrderingMode.valueOf(v.toUpperCase(Locale.ROOT))))
                .duration("retry.backoff", b::retryBackoff)
                .duration("max.retry.backoff", b::maxRetryBackoff)
                .apply(props, ignored -> { });
        return b.build();
    }

    /** @return the name used in thread names and logs */
    public String name() {
        return name;
    }

    /** @return the number of worker threads */
    public int workers() {
        return workers;
    }

    /** @return the bound on items processing at once, including asynchronous ones */
    public int maxInFlight() {
        return maxInFlight;
    }

    /** @return which items may run concurrently */
    public OrderingMode ordering() {
        return ordering;
    }

    /** @return the backoff before the first retry */
    public Duration retryBackoff() {
        return retryBackoff;
    }

    /** @return the largest backoff between retries */
    public Duration maxRetryBackoff() {
        return maxRetryBackoff;
    }

    @Override
    public String toString() {
        return "QueueWorkerConfig{name=" + name + ", workers=" + workers + ", maxInFlight=" + maxInFlight
                + ", ordering=" + ordering + ", retryBackoff=" + retryBackoff + ", maxRetryBackoff=" + maxRetryBackoff + '}';
    }

    /** Validating builder; not thread-safe. */
    public static final class Builder {
        private String name = DEFAULT_NAME;
        private int workers = DEFAULT_WORKERS;
        private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;
        private OrderingMode ordering = DEFAULT_ORDERING;
        private Duration retryBackoff = DEFAULT_RETRY_BACKOFF;
        private Duration maxRetryBackoff = DEFAULT_MAX_RETRY_BACKOFF;

        private Builder() {
        }

        /**
         * Name used in thread names ({@code syncer-worker-<name>-<n>}) and logs. Default
         * {@link #DEFAULT_NAME}.
         *
         * @param name letters, digits, '.', '_' or '-'
         * @return this builder
         */
        public Builder name(String name) {
            Require.notBlank("name", name);
            Require.argument(name.matches("[A-Za-z0-9._-]+"), "name must match [A-Za-z0-9._-]+, got '%s'", name);
            this.name = name;
            return this;
        }

        /**
         * Number of worker threads. Default {@link #DEFAULT_WORKERS}.
         *
         * @param workers at least 1
         * @return this builder
         */
        public Builder workers(int workers) {
            this.workers = Require.positive("workers", workers);
            return this;
        }

        /**
         * Bound on items processing at once, counting asynchronous work whose stage has not
         * completed. With blocking workers the thread count bounds it anyway. Default
         * {@link #DEFAULT_MAX_IN_FLIGHT}.
         *
         * @param maxInFlight at least 1
         * @return this builder
         */
        public Builder maxInFlight(int maxInFlight) {
            this.maxInFlight = Require.positive("maxInFlight", maxInFlight);
            return this;
        }

        /**
         * Which items may run concurrently. Default {@link #DEFAULT_ORDERING} (per key).
         *
         * @param ordering the mode
         * @return this builder
         */
        public Builder ordering(OrderingMode ordering) {
            this.ordering = Objects.requireNonNull(ordering, "ordering");
            return this;
        }

        /**
         * Backoff before the first retry of a failed item; doubles per attempt up to
         * {@link #maxRetryBackoff}, with ±20% jitter. Default {@link #DEFAULT_RETRY_BACKOFF} (100 ms).
         *
         * @param backoff positive
         * @return this builder
         */
        public Builder retryBackoff(Duration backoff) {
            this.retryBackoff = Require.positive("retryBackoff", backoff);
            return this;
        }

        /**
         * Largest backoff between retries. Default {@link #DEFAULT_MAX_RETRY_BACKOFF} (10 s).
         *
         * @param backoff positive
         * @return this builder
         */
        public Builder maxRetryBackoff(Duration backoff) {
            this.maxRetryBackoff = Require.positive("maxRetryBackoff", backoff);
            return this;
        }

        /**
         * Validates and builds.
         *
         * @return the configuration
         * @throws IllegalArgumentException when {@code maxRetryBackoff < retryBackoff} or
         *     {@code maxInFlight < workers}
         */
        public QueueWorkerConfig build() {
            Require.argument(maxRetryBackoff.compareTo(retryBackoff) >= 0,
                    "maxRetryBackoff (%s) must not be below retryBackoff (%s)", maxRetryBackoff, retryBackoff);
            Require.argument(maxInFlight >= workers, "maxInFlight (%s) must be at least workers (%s)", maxInFlight, workers);
            return new QueueWorkerConfig(this);
        }
    }
}
