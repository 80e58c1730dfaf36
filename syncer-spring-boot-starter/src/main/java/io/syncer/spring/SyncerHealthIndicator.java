package io.syncer.spring;

import io.syncer.Syncer;
import io.syncer.consume.GroupHealth;
import io.syncer.consume.ManagerState;
import io.syncer.consume.PartitionFailure;
import io.syncer.sink.SinkOutage;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * One pipeline's {@link Syncer#health()} as an Actuator health indicator
 * ({@code /actuator/health/syncer/<pipeline>}):
 *
 * <table>
 *   <caption>status</caption>
 *   <tr><th>status</th><th>when</th></tr>
 *   <tr><td>UP</td><td>starting or running: every assigned partition consumed, every sink writing</td></tr>
 *   <tr><td>DOWN</td><td>the poll thread failed; a partition stalled (lagging while its committed
 *     offset does not move: a hung worker or sink); a sink cannot write (bad credentials, a missing
 *     table); the group cannot be joined (an unreachable cluster)</td></tr>
 *   <tr><td>OUT_OF_SERVICE</td><td>a partition failed closed (an out-of-range offset, a halted
 *     record): it will not move until an operator acts, so restarting does not help; or the pipeline
 *     is closing or closed</td></tr>
 *   <tr><td>UNKNOWN</td><td>not started yet</td></tr>
 * </table>
 *
 * <p>Details: {@code state}, {@code assigned}, {@code paused}, {@code queuedRecords},
 * {@code queuedBytes}, and when present {@code failedPartitions} (partition: offset and reason),
 * {@code stalledPartitions}, {@code sinkOutages} (sink: reason and held records),
 * {@code startupProblem} and {@code failure}.
 */
public final class SyncerHealthIndicator implements HealthIndicator {
    private final Syncer syncer;

    /** @param syncer the pipeline */
    public SyncerHealthIndicator(Syncer syncer) {
        this.syncer = syncer;
    }

    @Override
    public Health health() {
        return health(syncer.health());
    }

    /**
     * Maps a view to a health.
     *
     * @param h the pipeline's view
     * @return the health with details
     */
    public static Health health(GroupHealth h) {
        Health.Builder b = new Health.Builder(status(h));
        b.withDetail("state", h.state().name());
        b.withDetail("assigned", h.assignment().size());
        b.withDetail("paused", h.pausedPartitions().size());
        b.withDetail("queuedRecords", h.queuedRecords());
        b.withDetail("queuedBytes", h.queuedBytes());
        if (!h.failedPartitions().isEmpty()) {
            Map<String, String> failed = new TreeMap<>();
            for (PartitionFailure f : h.failedPartitions().values()) {
                failed.put(f.partition().toString(), "at offset " + f.offset() + ": " + f.reason());
            }
            b.withDetail("failedPartitions", failed);
        }
        if (!h.stalledPartitions().isEmpty()) {
            TreeSet<String> stalled = new TreeSet<>();
            h.stalledPartitions().forEach(tp -> stalled.add(tp.toString()));
            b.withDetail("stalledPartitions", stalled);
        }
        if (!h.sinkOutages().isEmpty()) {
            Map<String, Object> outages = new TreeMap<>();
            for (Map.Entry<String, SinkOutage> e : h.sinkOutages().entrySet()) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("reason", e.getValue().reason());
                o.put("since", e.getValue().since().toString());
                o.put("heldRecords", e.getValue().heldRecords());
                outages.put(e.getKey(), o);
            }
            b.withDetail("sinkOutages", outages);
        }
        if (h.startupProblem() != null) {
            b.withDetail("startupProblem", h.startupProblem());
        }
        if (h.failure() != null) {
            b.withDetail("failure", h.failure().getClass().getName() + ": " + h.failure().getMessage());
        }
        return b.build();
    }

    private static Status status(GroupHealth h) {
        ManagerState s = h.state();
        if (s == ManagerState.NEW) {
            return Status.UNKNOWN;
        }
        if (s == ManagerState.CLOSING || s == ManagerState.CLOSED) {
            return Status.OUT_OF_SERVICE;
        }
        if (s == ManagerState.FAILED || !h.stalledPartitions().isEmpty() || !h.sinkOutages().isEmpty()
                || h.startupProblem() != null) {
            return Status.DOWN;
        }
        if (!h.failedPartitions().isEmpty()) {
            return Status.OUT_OF_SERVICE;
        }
        return Status.UP;
    }
}
