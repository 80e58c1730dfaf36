/**
 * Produce: {@link io.syncer.produce.KafkaProducers}, one shared idempotent producer with
 * synchronous, per-record batch and asynchronous sends.
 */
package io.syncer.produce;
