package io.syncer.sink;

import java.time.Instant;
import java.util.Objects;

/**
 * A sink that cannot write at the moment: its last write answered {@link SinkResult.Status#UNAVAILABLE}
 * (bad credentials, a missing table). Its records are held, un-acknowledged, and written again after
 * a growing backoff; nothing is dead-lettered for it. Reported in
 * {@link io.syncer.consume.GroupHealth#sinkOutages()} until a write succeeds.
 *
 * @param sink the sink's name
 * @param reason the last error's message (never credentials)
 * @param since when the outage began
 * @param probes writes tried since then, the first included
 * @param heldRecords records held for the sink now
 */
public record SinkOutage(String sink, String reason, Instant since, long probes, long heldRecords) {
    /**
     * Validates the components.
     *
     * @param sink the sink's name
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
