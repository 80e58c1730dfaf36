package io.syncer.trace;

/** A span made current on one thread; closing it restores what was current before. */
@FunctionalInterface
public interface TraceScope extends AutoCloseable {
    /** A scope that changes nothing. */
    TraceScope NOOP = () -> { };

    /** Restores the thread's previous context. Never throws. */
    @Override
    void close();
}
