package io.syncer.trace;

import org.apache.kafka.common.header.Headers;

/**
 * One span started by a {@link Tracing}: a record's processing or a sink write. syncer makes it
 * current around the calls into application and sink code, injects it into the headers of the records
 * it produces for it (a Kafka sink's output, a dead letter), and ends it once.
 */
public interface TraceSpan {
    /** Outcome of a record processed by every sink it was routed to. */
    String PROCESSED = "processed";
    /** Outcome of a record written to the dead-letter topic. */
    String DEAD_LETTERED = "dead_lettered";
    /** Outcome of a record whose partition halted on it. */
    String HALTED = "halted";
    /** Outcome of a record left for the partition's next owner (revoked, closing, given back by a sink). */
    String RELEASED = "released";
    /** Outcome of a sink write whose results are all in. */
    String WRITTEN = "written";

    /** A span that records nothing. */
    TraceSpan NOOP = new TraceSpan() {
        @Override
        public TraceScope makeCurrent() {
            return TraceScope.NOOP;
        }

        @Override
        public void inject(Headers headers) {
        }

        @Override
        public void retrying(int attempt, Throwable error) {
        }

        @Override
        public void end(String outcome, Throwable error) {
        }

        @Override
        public String toString() {
            return "TraceSpan.NOOP";
        }
    };

    /**
     * Makes this span the current context of the calling thread until the scope is closed.
     *
     * @return the scope; syncer closes it on the same thread, in a finally block
     */
    TraceScope makeCurrent();

    /**
     * Writes this span's context into {@code headers} (replacing a context already there), so a
     * downstream consumer continues the trace.
     *
     * @param headers the headers of a record being produced for this span
     */
    void inject(Headers headers);

    /**
     * An attempt failed and the record will be tried again after a backoff.
     *
     * @param attempt the attempt that failed, from 1
     * @param error why
     */
    void retrying(int attempt, Throwable error);

    /**
     * Ends the span. Called once.
     *
     * @param outcome one of the outcome constants of this interface
     * @param error the failure behind a dead letter, a halt or a failed write, else {@code null}
     */
    void end(String outcome, Throwable error);
}
