package io.syncer.internal.queue;

import io.syncer.RetriableSyncerException;

/**
 * A record was not processed because the pipeline is closing (a sink in an outage gives back what it holds): the
 * queue neither retries nor dead-letters it, it leaves it uncommitted for the partition's next owner.
 */
public final class GivenBackException extends RetriableSyncerException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message why the record goes back
     */
    public GivenBackException(String message) {
        super(message);
    }
}
