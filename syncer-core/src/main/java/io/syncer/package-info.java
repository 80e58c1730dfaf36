/**
 * syncer: Kafka queue-worker pipelines with per-partition confirmed-offset commits.
 *
 * <p>The data path, one package each:
 * <ol>
 *   <li>{@link io.syncer.consume} — a consumer group over many topics or a pattern
 *       ({@link io.syncer.consume.ConsumerGroupManager}) and its sarama-style handler;</li>
 *   <li>{@link io.syncer.queue} — the bounded {@link io.syncer.queue.QueueWorker} whose N workers
 *       call your {@link io.syncer.queue.AsyncConsumeWorker};</li>
 *   <li>{@link io.syncer.commit} — where a partition starts, what an out-of-range offset does, and
 *       when offsets are committed;</li>
 *   <li>{@link io.syncer.produce} — one shared {@link io.syncer.produce.KafkaProducers}.</li>
 * </ol>
 * Everything under {@code io.syncer.internal} is implementation and may change without notice.
 */
package io.syncer;
