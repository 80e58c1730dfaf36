package io.syncer;

/**
 * A record could not be turned into the item a worker processes (malformed JSON, a {@code null}
 * value, the wrong shape). Fatal: retrying cannot help, so the record goes straight to the
 * dead-letter policy with this message as the reason.
 */
public class RecordDecodeException extends SyncerException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message why the record cannot be decoded; never contains the record's bytes
     * @param cause the decoder's error, or {@code null}
     */
    public RecordDecodeException(String message, Throwable cause) {
        super(message, cause);
    }
}
