package io.syncer.sink;


/**
 * What every sink holds from its {@link SinkBuilder}: its name, batching and default destination,
 * and the one rule for choosing a record's destination. Immutable and thread-safe.
 */
public final class SinkSettings {
    private final String name;
    private final String destinationKind;
    private final BatchPolicy batchPolicy;
    private final String defaultDestination;

    SinkSettings(String name, String destinationKind, BatchPolicy batchPolicy, String defaultDestination) {
        this.name = name;
        this.destinationKind = destinationKind;
        this.batchPolicy = batchPolicy;
        this.defaultDestination = defaultDestination;
    }

    /** @return the sink's name */
    public String name() {
        return name;
    }

    /** @return how core batches for the sink */
    public BatchPolicy batchPolicy() {
        return batchPolicy;
    }

    /** @return the destination for records routed without one, or {@code null} */
    public String defaultDestination() {
        return defaultDestination;
    }

    /**
     * Where a record goes: its route's destination, else the default.
     *
     * @param record the record
     * @return the destination, or {@code null} when neither exists (see {@link #noDestination()})
     */
    public String destinationOf(SinkRecord<?> record) {
        return record.destination() != null ? record.destination() : defaultDestination;
    }

    /**
     * The result for a record with no destination: a {@link io.syncer.ConfigurationException},
     * which halts the partition instead of dead-lettering the record, saying what is missing.
     *
     * @return the result
     */
    public SinkResult noDestination() {
        return SinkResult.fail(new io.syncer.ConfigurationException("sink " + name + ": the route names no "
                + destinationKind + " and the sink has no default " + destinationKind + " (set one on its builder, or "
                + "route with Route.to(\"" + name + "\", " + destinationKind + "))"));
    }

    @Override
    public String toString() {
        return "SinkSettings{name=" + name + ", " + destinationKind + "=" + defaultDestination + ", " + batchPolicy + '}';
    }
}
