package io.syncer.examples;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.syncer.Syncer;
import io.syncer.consume.GroupHealth;
import io.syncer.consume.PartitionStatus;
import io.syncer.micrometer.MicrometerMetrics;
import io.syncer.sink.SinkOutage;
import io.syncer.sink.SinkStats;
import java.util.Map;

/**
 * The demo's once-a-second line: records in and out with their rates, lag, queue depth, paused
 * partitions, what each sink wrote, retried and holds, dead letters, and any sink outage. Read from
 * the same Micrometer registry the Prometheus page serves, the pipeline's health and its sink
 * statistics. Totals only grow: the per-partition counters leave the registry when a partition is
 * revoked, so the line keeps the highest total it saw.
 */
final class DemoProgress {
    private final Syncer syncer;
    private final MeterRegistry registry;
    private final long startNanos;
    private long in;
    private long out;
    private long dead;
    private long lastIn;
    private long lastOut;
    private long lastNanos;
    private final Map<String, Long> maxHeld = new java.util.TreeMap<>();

    DemoProgress(Syncer syncer, MeterRegistry registry, long startNanos) {
        this.syncer = syncer;
        this.registry = registry;
        this.startNanos = startNanos;
        this.lastNanos = startNanos;
    }

    /** @return records processed or dead-lettered so far */
    long done() {
        refresh();
        return out;
    }

    private void refresh() {
        in = Math.max(in, sum(MicrometerMetrics.RECORDS_CONSUMED));
        dead = Math.max(dead, sum(MicrometerMetrics.RECORDS_DEAD_LETTERED));
        out = Math.max(out, sum(MicrometerMetrics.RECORDS_PROCESSED) + dead);
    }

    private long sum(String counter) {
        return (long) registry.find(counter).counters().stream().mapToDouble(Counter::count).sum();
    }

    /** Prints one line. */
    void print(long produced) {
        refresh();
        long now = System.nanoTime();
        double dt = Math.max(1e-3, (now - lastNanos) / 1e9);
        GroupHealth h = syncer.health();
        StringBuilder line = new StringBuilder(String.format("%5.1fs  produced %7d  in %7d (%6.0f/s)  out %7d (%6.0f/s)  lag %s"
                        + "  queue %5d  paused %d |", (now - startNanos) / 1e9, produced, in, (in - lastIn) / dt, out,
                (out - lastOut) / dt, lag(h), h.queuedRecords(), h.pausedPartitions().size()));
        long retried = 0;
        for (SinkStats s : syncer.sinkStats().values()) {
            maxHeld.merge(s.sink(), s.held(), Math::max);
            line.append(' ').append(s.sink()).append(' ').append(s.written());
            if (s.held() > 0) {
                line.append(" (held ").append(s.held()).append(')');
            }
            retried += s.retried();
        }
        line.append(String.format(" | retried %d  dead-lettered %d | %s", retried, dead, h.state()));
        for (Map.Entry<String, SinkOutage> o : h.sinkOutages().entrySet()) {
            String reason = o.getValue().reason();
            line.append(" | DOWN ").append(o.getKey()).append(": ").append(reason.length() > 60 ? reason.substring(0, 60) + "..." : reason);
        }
        System.out.println(line);
        lastIn = in;
        lastOut = out;
        lastNanos = now;
    }

    /** @return by sink, the most records an outage held at any progress line */
    Map<String, Long> maxHeld() {
        return Map.copyOf(maxHeld);
    }

    /** The summed lag of the assigned partitions, {@code ?} while any is unknown (before its first fetch). */
    private static String lag(GroupHealth h) {
        if (h.partitions().isEmpty()) {
            return String.format("%7s", "-");
        }
        long lag = 0;
        for (PartitionStatus p : h.partitions().values()) {
            if (p.logEndOffset() < 0) {
                return String.format("%7s", "?");
            }
            lag += p.lag();
        }
        return String.format("%7d", lag);
    }
}
