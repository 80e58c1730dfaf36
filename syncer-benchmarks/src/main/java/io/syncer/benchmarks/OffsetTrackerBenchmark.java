package io.syncer.benchmarks;

import io.syncer.internal.commit.OffsetTracker;
import io.syncer.internal.commit.QueueBudget;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Per-record cost of the offset tracker with {@code tracked} records outstanding: each block
 * completes the 16 oldest records in reverse order, registers 16 new ones and reads the committable
 * offset. O(1) amortised means the time per record stays flat from 10^5 to 10^7 tracked records.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class OffsetTrackerBenchmark {
    static final int BLOCK = 16;

    /** Records outstanding in the tracker while measuring. */
    @Param({"100000", "1000000", "10000000"})
    public int tracked;

    private OffsetTracker tracker;
    private long[] window;
    private long next;

    /** Fills the tracker with {@code tracked} outstanding records. */
    @Setup(Level.Trial)
    public void fill() {
        tracker = new OffsetTracker(new TopicPartition("bench", 0), new QueueBudget(Long.MAX_VALUE, Long.MAX_VALUE), false);
        window = new long[tracked];
        for (int i = 0; i < tracked; i++) {
            window[i] = tracker.register(next++, 0, 200);
        }
    }

    /**
     * Completes the 16 oldest records in reverse order (out of order), registers 16 new ones, and
     * reads the committable offset once.
     *
     * @return the committable offset, so the work is not optimised away
     */
    @Benchmark
    @OperationsPerInvocation(BLOCK)
    public long blockOf16() {
        int base = (int) (next % tracked);
        for (int i = BLOCK - 1; i >= 0; i--) {
            tracker.complete(window[base + i]);
        }
        for (int i = 0; i < BLOCK; i++) {
            window[base + i] = tracker.register(next++, 0, 200);
        }
        return tracker.committable().get().offset();
    }
}
