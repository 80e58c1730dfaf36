package io.syncer.sink;

/** What happens to a record the {@link Router} returned no route for (an unknown tenant). */
public enum UnroutedPolicy {
    /**
     * The default: a fatal failure, so the record goes to the dead-letter policy (a dead-letter
     * topic, or halting the partition) with the reason "no route".
     */
    DEAD_LETTER,
    /** Count it ({@code recordUnrouted} in the metrics) and treat it as processed. */
    DROP
}
