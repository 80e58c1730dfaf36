package io.syncer.internal.queue;

/**
 * What a worker thread is working on, for code it calls synchronously: whether the current record
 * was disowned meanwhile (its partition revoked, or rewound by an aborted transaction). Set by
 * {@link DefaultQueueWorker} around the decoder and the worker; the pipeline's fan-out checks it
 * before handing outputs to a sink, so work that ran past a revoke's wait writes nothing for a
 * partition that is someone else's now (in exactly-once mode: nothing into the next transaction).
 */
public final class WorkerContext {
    private WorkerContext() {
    }

    /** @return the span of the record the calling worker thread processes; {@link io.syncer.trace.TraceSpan#NOOP} off a worker call */
    public static io.syncer.trace.TraceSpan currentSpan() {
        return DefaultQueueWorker.currentSpan();
    }

    /** @return whether the record the calling worker thread processes was disowned; {@code false} off a worker call */
    public static boolean currentRecordDisowned() {
        return DefaultQueueWorker.currentRecordDisowned();
    }
}
