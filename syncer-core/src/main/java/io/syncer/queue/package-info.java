/**
 * Queue and work: the bounded {@link io.syncer.queue.QueueWorker} whose worker threads decode
 * records ({@link io.syncer.queue.RecordDecoder}) and run your
 * {@link io.syncer.queue.AsyncConsumeWorker}, in the order {@link io.syncer.queue.OrderingMode}
 * allows.
 */
package io.syncer.queue;
