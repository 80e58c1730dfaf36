package io.syncer.sink;

import java.util.Objects;

/**
 * A point-in-time view of one sink in a pipeline, counted by core from the results the sink gave
 * (the sink's own code counts nothing): what it wrote, what it asked to retry, what it failed, and
 * what an outage holds now. Totals are since the pipeline was built.
 *
 * @param sink the sink's name
 * @param batches writes handed to the sink
 * @param written records the sink accepted ({@link SinkResult.Status#OK})
 * @param retried record results that will be tried again: {@link SinkResult.Status#RETRY}, records given
 *     back when their partition was revoked, and records an outage held until the pipeline closed
 * @param failed record results that are not retried ({@link SinkResult.Status#FAIL}): the record is
 *     dead-lettered (or halts its partition, by the dead-letter policy)
 * @param held records held now because the sink or one of its destinations is unavailable
 */
public record SinkStats(String sink, long batches, long written, long retried, long failed, long held) {
    /**
     * Validates the components.
     *
     * @param sink the sink's name
     * @param batches writes handed to the sink
     * @param written records accepted
     * @param retried results to retry
     * @param failed results not retried
     * @param held records held now
     */
    public SinkStats {
        Objects.requireNonNull(sink, "sink");
    }
}
