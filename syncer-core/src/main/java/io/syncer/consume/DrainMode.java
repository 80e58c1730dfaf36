package io.syncer.consume;

/** Whether {@link ConsumerGroupManager#close(java.time.Duration, DrainMode)} finishes queued work. */
public enum DrainMode {
    /**
     * Stop polling, process every queued and in-flight record (up to the deadline), then commit.
     * A restart re-processes nothing. The default.
     */
    DRAIN,
    /**
     * Stop polling and dispatching at once: queued records are dropped, workers are interrupted,
     * and only the prefix already completed is committed. Nothing is lost: the dropped records are
     * re-delivered to the next owner of their partitions.
     */
    ABANDON
}
