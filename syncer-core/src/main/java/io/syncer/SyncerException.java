package io.syncer;

/**
 * Root of every exception syncer throws. Unchecked, like Kafka's {@code KafkaException}.
 *
 * <p>Errors that may succeed when retried are {@link RetriableSyncerException}s; everything else is
 * fatal for the record or operation it concerns. Exceptions thrown by user code (workers, handlers,
 * decoders) are wrapped in a {@code SyncerException} at one choke point, with the original as the
 * cause.
 */
public class SyncerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message.
     *
     * @param message what went wrong, never containing credentials
     */
    public SyncerException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and a cause.
     *
     * @param message what went wrong, never containing credentials
     * @param cause the underlying error
     */
    public SyncerException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * Whether the failed operation may succeed if retried.
     *
     * @return {@code false} here; {@code true} for {@link RetriableSyncerException}
     */
    public boolean isRetriable() {
        return false;
    }
}
