/**
 * Failures: which errors are retried ({@link io.syncer.failure.ErrorClassifier}), how often
 * ({@link io.syncer.failure.RetryPolicy}), and what happens when a record cannot be processed
 * ({@link io.syncer.failure.DeadLetterPolicy}: a dead-letter topic, or halting the partition).
 * A record is never acknowledged and dropped.
 */
package io.syncer.failure;
