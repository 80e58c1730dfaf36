package io.syncer.benchmarks;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One timed repetition: wall time, process CPU time and peak heap, the last sampled every 10 ms
 * on a named daemon thread.
 *
 * @param seconds wall time
 * @param cpuSeconds process CPU time (all threads of this JVM; the broker runs in its own)
 * @param peakHeapMb highest heap use sampled
 * @param records records handled
 */
record Measurement(double seconds, double cpuSeconds, double peakHeapMb, long records) {
    private static final OperatingSystemMXBean OS = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    double recordsPerSecond() {
        return records / seconds;
    }

    /** A body that runs one repetition and returns how many records it handled. */
    @FunctionalInterface
    interface Body {
        long run() throws Exception;
    }

    static Measurement of(Body body) throws Exception {
        return of(body, () -> 0);
    }

    /**
     * Like {@link #of(Body)}, leaving out the CPU time {@code foreignCpuSeconds} counts (a server
     * that runs in this JVM for the scenario, used alike by baseline and syncer).
     */
    static Measurement of(Body body, java.util.function.DoubleSupplier foreignCpuSeconds) throws Exception {
        System.gc();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong peak = new AtomicLong(MEMORY.getHeapMemoryUsage().getUsed());
        Thread sampler = new Thread(() -> {
            while (running.get()) {
                peak.accumulateAndGet(MEMORY.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "bench-heap-sampler");
        sampler.setDaemon(true);
        sampler.start();
        long cpu0 = OS.getProcessCpuTime();
        double foreign0 = foreignCpuSeconds.getAsDouble();
        long t0 = System.nanoTime();
        long records;
        try {
            records = body.run();
        } finally {
            running.set(false);
            sampler.join();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        double cpu = (OS.getProcessCpuTime() - cpu0) / 1e9 - (foreignCpuSeconds.getAsDouble() - foreign0);
        return new Measurement(seconds, cpu, peak.get() / (1024.0 * 1024.0), records);
    }

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
