package io.syncer.sink;

import java.util.Objects;

/**
 * The part every sink's builder shares: the sink's name (validated once, here), its
 * {@link BatchPolicy} with the sink's own default, and the default destination for records whose
 * route names none. A sink's builder extends it and adds its client's settings; the sink keeps the
 * {@link SinkSettings} it produces.
 *
 * <p>Not thread-safe, like every builder.
 *
 * @param <B> the concrete builder, returned by the setters
 */
public abstract class SinkBuilder<B extends SinkBuilder<B>> {
    private final String name;
    private final String destinationKind;
    private BatchPolicy batchPolicy;
    private String defaultDestination;

    /**
     * Starts a builder.
     *
     * @param name the sink's name in routes, logs and metrics: letters, digits, '.', '_' or '-'
     * @param destinationKind what a destination is in this sink ("topic", "index", "table"), for
     *     error messages
     * @param defaultBatchPolicy the sink's default batching
     * @throws IllegalArgumentException for a bad name
     */
    protected SinkBuilder(String name, String destinationKind, BatchPolicy defaultBatchPolicy) {
        Objects.requireNonNull(name, "name");
        if (!name.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("sink name must match [A-Za-z0-9._-]+, got '" + name + "'");
        }
        this.name = name;
        this.destinationKind = Objects.requireNonNull(destinationKind, "destinationKind");
        this.batchPolicy = Objects.requireNonNull(defaultBatchPolicy, "defaultBatchPolicy");
    }

    /**
     * How core batches records for this sink. Default: the sink's {@code DEFAULT_BATCH_POLICY}.
     *
     * @param policy the policy
     * @return this builder
     */
    public B batchPolicy(BatchPolicy policy) {
        this.batchPolicy = Objects.requireNonNull(policy, "policy");
        return self();
    }

    /**
     * Sets the destination for records routed without one; a sink's builder exposes it under its
     * own name ({@code topic}, {@code index}, {@code table}).
     *
     * @param destination not blank
     * @return this builder
     */
    protected B defaultDestination(String destination) {
        if (destination == null || destination.isBlank()) {
            throw new IllegalArgumentException(destinationKind + " must not be blank");
        }
        this.defaultDestination = destination;
        return self();
    }

    /**
     * The settings built so far, for the sink's constructor.
     *
     * @return an immutable snapshot
     */
    public SinkSettings settings() {
        return new SinkSettings(name, destinationKind, batchPolicy, defaultDestination);
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }
}
