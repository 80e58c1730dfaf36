package io.syncer.sink;

import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * The outcome of writing one record: {@link #ok()}, {@link #retry(Throwable)} (a transient failure:
 * throttling, a timeout, a 5xx), {@link #fail(Throwable)} (a permanent one that is the record's
 * fault: a mapping or schema rejection, a 4xx) or {@link #unavailable(Throwable)} (the sink as a
 * whole cannot write: bad credentials, a missing table; not the record's fault). Core retries only
 * the records that need it and dead-letters the failed ones; a sink never retries by itself.
 */
public final class SinkResult {
    /** The kind of outcome. */
    public enum Status {
        /** Written. */
        OK,
        /** Not written; may succeed if retried. */
        RETRY,
        /** Not written; retrying cannot help: the record is at fault. */
        FAIL,
        /**
         * Not written because the sink cannot write anything now (bad credentials, a missing table or
         * topic of the whole sink, an account out of quota). Core holds the record, un-acknowledged,
         * and writes it again after a backoff, without counting an attempt and never dead-lettering
         * it; the sink is reported in the pipeline's health until a write succeeds.
         */
        UNAVAILABLE,
        /**
         * Not written because this record's destination cannot take writes now (one tenant's table
         * is missing, the key may not write to that topic), while the sink's other destinations
         * can. Core holds the destination's records, un-acknowledged, and probes it alone with a
         * backoff, never dead-lettering them; the other destinations are written as usual.
         */
        DESTINATION_UNAVAILABLE,
        /**
         * The outcome comes later, from {@link #later()}: the sink holds the record for work that
         * needs records of later batches (the ClickHouse sink gathering an insert to repeat after a
         * restart). The batch counts as written for this record, so the sink's next batches can be
         * written; the record stays un-acknowledged until the stage completes, with OK, RETRY or FAIL
         * (UNAVAILABLE kinds count as RETRY there; a failed stage as RETRY, or FAIL for a
         * non-retriable {@link io.syncer.SyncerException}).
         */
        DEFERRED
    }

    private static final SinkResult OK = new SinkResult(Status.OK, null);

    private final Status status;
    private final Throwable error;
    private final CompletionStage<SinkResult> later;

    private SinkResult(Status status, Throwable error) {
        this(status, error, null);
    }

    private SinkResult(Status status, Throwable error, CompletionStage<SinkResult> later) {
        this.status = status;
        this.error = error;
        this.later = later;
    }

    /**
     * The outcome comes later; see {@link Status#DEFERRED}. The stage must complete (the sink's
     * {@code close} at the latest), or the record is never acknowledged.
     *
     * @param later completes with the record's result
     * @return the result
     */
    public static SinkResult deferred(CompletionStage<SinkResult> later) {
        return new SinkResult(Status.DEFERRED, null, Objects.requireNonNull(later, "later"));
    }

    /** @return the stage of a {@link Status#DEFERRED} result, else {@code null} */
    public CompletionStage<SinkResult> later() {
        return later;
    }

    /**
     * Written.
     *
     * @return the shared success result
     */
    public static SinkResult ok() {
        return OK;
    }

    /**
     * Not written, retriable.
     *
     * @param error why; its message must not contain credentials
     * @return the result
     */
    public static SinkResult retry(Throwable error) {
        return new SinkResult(Status.RETRY, Objects.requireNonNull(error, "error"));
    }

    /**
     * Not written, fatal.
     *
     * @param error why; its message must not contain credentials
     * @return the result
     */
    public static SinkResult fail(Throwable error) {
        return new SinkResult(Status.FAIL, Objects.requireNonNull(error, "error"));
    }

    /**
     * Not written because the sink as a whole cannot write; see {@link Status#UNAVAILABLE}. Use it
     * only when retrying later with no change to the record can succeed, and the fault is not the
     * record's: a record error marked so would hold its partition forever instead of being
     * dead-lettered.
     *
     * @param error why (shown in health); its message must not contain credentials
     * @return the result
     */
    public static SinkResult unavailable(Throwable error) {
        return new SinkResult(Status.UNAVAILABLE, Objects.requireNonNull(error, "error"));
    }

    /**
     * Not written because this record's destination cannot take writes; see
     * {@link Status#DESTINATION_UNAVAILABLE}. For faults that would clear without a change to the
     * record (the table or topic is created, a permission granted).
     *
     * @param error why (shown in health); its message must not contain credentials
     * @return the result
     */
    public static SinkResult destinationUnavailable(Throwable error) {
        return new SinkResult(Status.DESTINATION_UNAVAILABLE, Objects.requireNonNull(error, "error"));
    }

    /**
     * A result of the given kind, for a sink that classifies its client's errors into a status
     * first (one table of codes, one factory call).
     *
     * @param status the kind of outcome
     * @param error why, required unless {@code status} is {@link Status#OK}
     * @return the result
     * @throws IllegalArgumentException for {@link Status#DEFERRED} (use {@link #deferred})
     */
    public static SinkResult of(Status status, Throwable error) {
        switch (Objects.requireNonNull(status, "status")) {
            case OK:
                return OK;
            case RETRY:
                return retry(error);
            case FAIL:
                return fail(error);
            case UNAVAILABLE:
                return unavailable(error);
            case DESTINATION_UNAVAILABLE:
                return destinationUnavailable(error);
            default:
                throw new IllegalArgumentException("a deferred result needs its stage: use deferred(stage)");
        }
    }

    /** @return the kind of outcome */
    public Status status() {
        return status;
    }

    /** @return why it failed, or {@code null} when {@link Status#OK} */
    public Throwable error() {
        return error;
    }

    @Override
    public String toString() {
        return error == null ? status.name() : status + ": " + error;
    }
}
