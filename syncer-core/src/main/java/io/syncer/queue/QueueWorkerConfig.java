package io.syncer.queue;

import io.syncer.failure.DeadLetterPolicy;
import io.syncer.failure.ErrorClassifier;
import io.syncer.failure.RetryPolicy;
import io.syncer.internal.util.ConfigProperties;
import io.syncer.internal.util.Require;
import io.syncer.trace.Tracing;
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
    /** Default {@link Builder#retryPolicy}: {@link RetryPolicy#ofDefaults()} (10 attempts within 5 min). */
    public static final RetryPolicy DEFAULT_RETRY_POLICY = RetryPolicy.ofDefaults();
    /** Default {@link Builder#errorClassifier}: {@link ErrorClassifier#defaults()}. */
    public static final ErrorClassifier DEFAULT_ERROR_CLASSIFIER = ErrorClassifier.defaults();
    /** Default {@link Builder#deadLetterPolicy}: {@link DeadLetterPolicy#halt()}. */
    public static final DeadLetterPolicy DEFAULT_DEAD_LETTER_POLICY = DeadLetterPolicy.halt();
    /** Default {@link Builder#tracing}: {@link Tracing#NOOP} (no spans). */
    public static final Tracing DEFAULT_TRACING = Tracing.NOOP;

    private final String name;
    private final int workers;
    private final int maxInFlight;
    private final OrderingMode ordering;
    private final RetryPolicy retryPolicy;
    private final ErrorClassifier errorClassifier;
    private final DeadLetterPolicy deadLetterPolicy;
    private final Tracing tracing;

    private QueueWorkerConfig(Builder b) {
        this.name = b.name;
        this.workers = b.workers;
        this.maxInFlight = b.maxInFlight;
        this.ordering = b.ordering;
        this.retryPolicy = b.retryPolicy;
        this.errorClassifier = b.errorClassifier;
        this.deadLetterPolicy = b.deadLetterPolicy;
        this.tracing = b.tracing;
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
     * {@code .ordering} (key|partition|unordered), {@code .retry.max.attempts},
     * {@code .retry.max.elapsed}, {@code .retry.initial.backoff}, {@code .retry.max.backoff}. The
     * dead-letter policy needs a producer and is set in code.
     *
     * @param props the properties
     * @return the validated configuration
     * @throws IllegalArgumentException on an unknown {@code syncer.worker.} key or a bad value
     */
    public static QueueWorkerConfig fromProperties(Properties props) {
        Builder b = builder();
        RetryPolicy.Builder retry = RetryPolicy.builder();
        binding(b, retry).apply(props, ignored -> { });
        return b.retryPolicy(retry.build()).build();
    }

    /**
     * The keys {@link #fromProperties} accepts (with the {@value #PREFIX} prefix) and the kind of
     * value each takes; the configuration reference (docs/configuration.md) is generated from it.
     *
     * @return key to kind
     */
    public static java.util.Map<String, String> propertyKeys() {
        return binding(builder(), RetryPolicy.builder()).keys();
    }

    private static ConfigProperties binding(Builder b, RetryPolicy.Builder retry) {
        return new ConfigProperties(PREFIX, PREFIX + "unused.")
                .string("name", b::name)
                .integer("workers", b::workers)
                .integer("max.in.flight", b::maxInFlight)
                .choice("ordering", "key|partition|unordered",
                        v -> b.ordering(OrderingMode.valueOf(v.toUpperCase(Locale.ROOT))))
                .integer("retry.max.attempts", retry::maxAttempts)
                .duration("retry.max.elapsed", retry::maxElapsed)
                .duration("retry.initial.backoff", retry::initialBackoff)
                .duration("retry.max.backoff", retry::maxBackoff);
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

    /**
     * This configuration with another {@link #maxInFlight()}.
     *
     * @param maxInFlight at least 1
     * @return a copy with that bound
     */
    public QueueWorkerConfig withMaxInFlight(int maxInFlight) {
        Builder b = copy();
        b.maxInFlight = Require.positive("maxInFlight", maxInFlight);
        return new QueueWorkerConfig(b);
    }

    /**
     * This configuration with another {@link #name()}.
     *
     * @param name letters, digits, '.', '_' or '-'
     * @return a copy with that name
     */
    public QueueWorkerConfig withName(String name) {
        return new QueueWorkerConfig(copy().name(name));
    }

    private Builder copy() {
        Builder b = new Builder();
        b.name = name;
        b.workers = workers;
        b.maxInFlight = maxInFlight;
        b.ordering = ordering;
        b.retryPolicy = retryPolicy;
        b.errorClassifier = errorClassifier;
        b.deadLetterPolicy = deadLetterPolicy;
        b.tracing = tracing;
        return b;
    }

    /** @return which items may run concurrently */
    public OrderingMode ordering() {
        return ordering;
    }

    /** @return how often and how long failed records are retried */
    public RetryPolicy retryPolicy() {
        return retryPolicy;
    }

    /** @return which failures are retried */
    public ErrorClassifier errorClassifier() {
        return errorClassifier;
    }

    /** @return what happens to a record that cannot be processed */
    public DeadLetterPolicy deadLetterPolicy() {
        return deadLetterPolicy;
    }

    /** @return where each record's span and each sink write's span go */
    public Tracing tracing() {
        return tracing;
    }

    @Override
    public String toString() {
        return "QueueWorkerConfig{name=" + name + ", workers=" + workers + ", maxInFlight=" + maxInFlight
                + ", ordering=" + ordering + ", retryPolicy=" + retryPolicy + ", deadLetterPolicy=" + deadLetterPolicy + '}';
    }

    /** Validating builder; not thread-safe. */
    public static final class Builder {
        private String name = DEFAULT_NAME;
        private int workers = DEFAULT_WORKERS;
        private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;
        private OrderingMode ordering = DEFAULT_ORDERING;
        private RetryPolicy retryPolicy = DEFAULT_RETRY_POLICY;
        private ErrorClassifier errorClassifier = DEFAULT_ERROR_CLASSIFIER;
        private DeadLetterPolicy deadLetterPolicy = DEFAULT_DEAD_LETTER_POLICY;
        private Tracing tracing = DEFAULT_TRACING;

        private Builder() {
        }

        /**
         * Name used in thread names ({@code syncer-worker-<name>-<n>}) and logs. Default
         * {@link #DEFAULT_NAME}; in a {@link io.syncer.Syncer} pipeline the default becomes the
         * consumer group's id, so log lines name the pipeline.
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
         * How often and how long a failed record is retried; a retrying record blocks only its
         * ordering key. Default {@link #DEFAULT_RETRY_POLICY}.
         *
         * @param policy the policy
         * @return this builder
         */
        public Builder retryPolicy(RetryPolicy policy) {
            this.retryPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * Which failures are retried; fatal ones go to the dead-letter policy at once. Default
         * {@link #DEFAULT_ERROR_CLASSIFIER}.
         *
         * @param classifier the classifier
         * @return this builder
         */
        public Builder errorClassifier(ErrorClassifier classifier) {
            this.errorClassifier = Objects.requireNonNull(classifier, "classifier");
            return this;
        }

        /**
         * What happens to a record whose retries are exhausted or whose failure is fatal. Default
         * {@link #DEFAULT_DEAD_LETTER_POLICY} (halt the partition).
         *
         * @param policy the policy
         * @return this builder
         */
        public Builder deadLetterPolicy(DeadLetterPolicy policy) {
            this.deadLetterPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * Where each record's span (current around the decoder, the worker, the router and the sink
         * calls made for it) and each sink write's span go, e.g. syncer-opentelemetry's
         * {@code OpenTelemetryTracing}. Default {@link #DEFAULT_TRACING}: none.
         *
         * @param tracing the tracing binding
         * @return this builder
         */
        public Builder tracing(Tracing tracing) {
            this.tracing = Objects.requireNonNull(tracing, "tracing");
            return this;
        }

        /**
         * Validates and builds.
         *
         * @return the configuration
         * @throws IllegalArgumentException when {@code maxInFlight < workers}
         */
        public QueueWorkerConfig build() {
            Require.argument(maxInFlight >= workers, "maxInFlight (%s) must be at least workers (%s)", maxInFlight, workers);
            return new QueueWorkerConfig(this);
        }
    }
}
