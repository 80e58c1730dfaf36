package io.syncer.sink;

import java.time.Instant;
import java.util.Objects;

/**
 * A sink, or one destination of it, that cannot write at the moment: its last write answered
 * {@link SinkResult.Status#UNAVAILABLE} (bad credentials) or
 * {@link SinkResult.Status#DESTINATION_UNAVAILABLE} (one tenant's table is missing). Its records are held, un-acknowledged, and written again after
 * a growing backoff; nothing is dead-lettered for it. Reported in
 * {@link io.syncer.consume.GroupHealth#sinkOutages()} until a write succeeds.
 *
 * @param sink the sink's name
 * @param destination the destination that cannot take writes ({@link SinkResult.Status#DESTINATION_UNAVAILABLE};
 *     {@code ""} for the sink's default destination), or {@code null} when the whole sink cannot
 *     ({@link SinkResult.Status#UNAVAILABLE})
 * @param reason the last error's message (never credentials)
 * @param since when the outage began
 * @param probes writes tried since then, the first included
 * @param heldRecords records held for the sink now
 */
public record SinkOutage(String sink, String destination, String reason, Instant since, long probes, long heldRecords) {
    /**
     * Validates the components.
     *
     * @param sink the sink's name
     * @param destination the destination that cannot take writes, or {@code null}
     * @param reason the last error's message
     * @param since when the outage began
     * @param probes writes tried since then
     * @param heldRecords records held now
     */
    public SinkOutage {
        Objects.requireNonNull(sink, "sink");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(since, "since");
    }
}
