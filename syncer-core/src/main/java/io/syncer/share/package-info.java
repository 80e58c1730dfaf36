/**
 * Share-group mode (Kafka queues, KIP-932): {@link io.syncer.share.ShareGroupManager} runs the same
 * {@link io.syncer.queue.QueueWorker}, retries, dead letters and sinks on a share group, acknowledging each
 * record from its outcome.
 */
package io.syncer.share;
