package io.syncer;

/**
 * A {@link SyncerException} for a transient failure: retrying the same operation may succeed
 * (a broker or sink timeout, throttling, a leader change).
 */
public class RetriableSyncerException extends SyncerException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message.
     *
     * @param message what went wrong, never containing credentials
     */
    public RetriableSyncerException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and a cause.
     *
     * @param message what went wrong, never containing credentials
     * @param cause the underlying error
     */
    public RetriableSyncerException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public boolean isRetriable() {
        return true;
    }
}
