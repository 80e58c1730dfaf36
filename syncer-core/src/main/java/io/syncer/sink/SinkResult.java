package io.syncer.sink;

import java.util.Objects;

/**
 * The outcome of writing one record: {@link #ok()}, {@link #retry(Throwable)} (a transient failure:
 * throttling, a timeout, a 5xx) or {@link #fail(Throwable)} (a permanent one: a mapping or schema
 * rejection, a 4xx). Core retries only the records that need it and dead-letters the rest; a sink
 * never retries by itself.
 */
public final class SinkResult {
    /** The kind of outcome. */
    public enum Status {
        /** Written. */
        OK,
        /** Not written; may succeed if retried. */
        RETRY,
        /** Not written; retrying cannot help. */
        FAIL
    }

    private static final SinkResult OK = new SinkResult(Status.OK, null);

    private final Status status;
    private final Throwable error;

    private SinkResult(Status status, Throwable error) {
        this.status = status;
        this.error = error;
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
