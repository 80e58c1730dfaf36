package io.syncer.sink.cls;

import io.syncer.SyncerException;

/**
 * {@link ClsResources} has no CLS topic for a record's tenant. Fatal for the record: thrown from a
 * router, it sends the record to the dead-letter policy with this message.
 */
public final class UnknownTenantException extends SyncerException {
    private static final long serialVersionUID = 1L;

    private final String tenant;

    /**
     * Creates the exception.
     *
     * @param tenant the tenant that has no topic
     */
    public UnknownTenantException(String tenant) {
        super("no CLS topic for tenant '" + tenant + "'");
        this.tenant = tenant;
    }

    /** @return the tenant */
    public String tenant() {
        return tenant;
    }
}
