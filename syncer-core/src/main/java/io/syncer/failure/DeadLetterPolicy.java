package io.syncer.failure;

import io.syncer.produce.KafkaProducers;
import java.util.Objects;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * What happens to a record whose retries are exhausted or whose failure is fatal. It is never
 * acknowledged and dropped:
 * <ul>
 *   <li>{@link #toTopic} publishes it to a dead-letter topic (original key, value, headers and
 *       timestamp, plus the {@link DeadLetterHeaders}). The record counts as complete only once
 *       that write is acknowledged; a failed write is retried (retriable errors) or halts the
 *       partition (fatal errors). The dead-letter record is keyed like the original, so the
 *       dead-letter topic may have any number of partitions.</li>
 *   <li>{@link #halt()} (the default) stops the record's partition: it is paused, nothing at or
 *       past the record is committed, and it is reported in the manager's health until restarted.</li>
 * </ul>
 *
 * <p>Immutable and thread-safe. The {@link KafkaProducers} passed in is not closed by syncer.
 */
public final class DeadLetterPolicy {
    /** The kind of reaction. */
    public enum Kind {
        /** Stop the partition and report it. */
        HALT,
        /** Publish to a dead-letter topic. */
        TOPIC
    }

    private static final DeadLetterPolicy HALT = new DeadLetterPolicy(Kind.HALT, null, null);

    private final Kind kind;
    private final KafkaProducers producers;
    private final Function<ConsumerRecord<byte[], byte[]>, String> topic;

    private DeadLetterPolicy(Kind kind, KafkaProducers producers, Function<ConsumerRecord<byte[], byte[]>, String> topic) {
        this.kind = kind;
        this.producers = producers;
        this.topic = topic;
    }

    /**
     * Stop the partition at the record, commit nothing at or past it, report it. The default.
     *
     * @return the policy
     */
    public static DeadLetterPolicy halt() {
        return HALT;
    }

    /**
     * Publish to one dead-letter topic.
     *
     * @param producers the shared producer (not closed by syncer)
     * @param topic the dead-letter topic
     * @return the policy
     */
    public static DeadLetterPolicy toTopic(KafkaProducers producers, String topic) {
        Objects.requireNonNull(topic, "topic");
        return toTopic(producers, record -> topic);
    }

    /**
     * Publish to a dead-letter topic chosen per record, e.g. {@code r -> r.topic() + ".dlt"}.
     *
     * @param producers the shared producer (not closed by syncer)
     * @param topic chooses the topic; called on a worker thread
     * @return the policy
     */
    public static DeadLetterPolicy toTopic(KafkaProducers producers, Function<ConsumerRecord<byte[], byte[]>, String> topic) {
        return new DeadLetterPolicy(Kind.TOPIC, Objects.requireNonNull(producers, "producers"), Objects.requireNonNull(topic, "topic"));
    }

    /** @return the kind of reaction */
    public Kind kind() {
        return kind;
    }

    /** @return the producer for {@link Kind#TOPIC}, else {@code null} */
    public KafkaProducers producers() {
        return producers;
    }

    /**
     * The dead-letter topic for {@code record}.
     *
     * @param record the failed record
     * @return the topic, or {@code null} for {@link Kind#HALT}
     */
    public String topicFor(ConsumerRecord<byte[], byte[]> record) {
        return topic == null ? null : topic.apply(record);
    }

    @Override
    public String toString() {
        return kind == Kind.HALT ? "halt" : "dead-letter topic";
    }
}
