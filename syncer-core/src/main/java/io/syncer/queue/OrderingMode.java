package io.syncer.queue;

/** Which records a {@link QueueWorker} may process concurrently. */
public enum OrderingMode {
    /**
     * The default: records with the same key in the same partition are processed one at a time in
     * offset order; different keys run in parallel, so concurrency can exceed the partition count.
     * Records with a {@code null} key are ordered per partition among themselves.
     */
    KEY,
    /** Records of one partition are processed one at a time in offset order. */
    PARTITION,
    /** Any record may run at any time; only the worker and in-flight limits apply. */
    UNORDERED
}
