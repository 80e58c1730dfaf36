/**
 * Consume: a {@link io.syncer.consume.ConsumerGroupManager} runs one consumer group member over
 * many topics or a pattern and hands each partition's records to a
 * {@link io.syncer.consume.ConsumerGroupHandler} (setup / consumeClaim / cleanup, as in sarama).
 */
package io.syncer.consume;
