package io.syncer.reliability;

import java.util.concurrent.atomic.AtomicReference;

/**
 * Produces {@code [0, records)} in chunks spread evenly over a time span, on a thread of its own
 * ({@code reliability-producer}), so the faults of a scenario happen mid-stream; {@link #join()} rethrows a failure.
 */
final class PacedProducer {
    /** Sends one chunk {@code [from, to)}; throws if any record of it was not acknowledged. */
    @FunctionalInterface
    interface Chunk {
        void send(long from, long to) throws Exception;
    }

    private final Thread thread;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    private PacedProducer(long records, int chunk, long spreadNanos, Chunk send) {
        this.thread = new Thread(() -> {
            try {
                long started = System.nanoTime();
                for (long from = 0; from < records; from += chunk) {
                    send.send(from, Math.min(records, from + chunk));
                    long wait = started + spreadNanos * (from + chunk) / records - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000);
                    }
                }
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "reliability-producer");
    }

    static PacedProducer start(long records, int chunk, long spreadNanos, Chunk send) {
        PacedProducer p = new PacedProducer(records, chunk, spreadNanos, send);
        p.thread.start();
        return p;
    }

    /** Waits for the last chunk; throws if the producer failed (the producer side must lose nothing). */
    void join() throws InterruptedException {
        thread.join();
        if (failure.get() != null) {
            throw new IllegalStateException("the producer failed", failure.get());
        }
    }
}
