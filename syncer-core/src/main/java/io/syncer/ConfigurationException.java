package io.syncer;

/**
 * A configuration or programming error: thrown by a builder that found it (a sink that cannot
 * work with its server), or surfaced while handling a record: a route to a sink
 * that does not exist (a typo), a record routed without a destination to a sink that has no default
 * one. Retrying cannot help and the record is not at fault, so it is never dead-lettered: the
 * record's partition halts with the reason, whatever the dead-letter policy, and nothing at or past
 * it is committed until the application is fixed and restarted. Dead-lettering it would empty the
 * stream into the dead-letter topic and commit it.
 */
public class ConfigurationException extends SyncerException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what is misconfigured and how to fix it
     */
    public ConfigurationException(String message) {
        super(message);
    }

    /**
     * Creates the exception with its cause.
     *
     * @param message what is misconfigured and how to fix it
     * @param cause what revealed it
     */
    public ConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }
}
