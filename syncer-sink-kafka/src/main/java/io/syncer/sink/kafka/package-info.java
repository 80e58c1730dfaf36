/**
 * The Kafka sink: {@link io.syncer.sink.kafka.KafkaSink} forwards records to topics chosen per
 * record (the access-log pipeline's AI and bot topics), with an optional transform.
 */
package io.syncer.sink.kafka;
