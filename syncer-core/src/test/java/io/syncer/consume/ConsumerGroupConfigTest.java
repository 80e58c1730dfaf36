package io.syncer.consume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.syncer.commit.CommitMode;
import io.syncer.commit.InitialPosition;
import io.syncer.commit.OffsetResetPolicy;
import io.syncer.produce.KafkaProducersConfig;
import io.syncer.queue.OrderingMode;
import io.syncer.queue.QueueWorkerConfig;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ConsumerGroupConfigTest {
    private static ConsumerGroupConfig.Builder valid() {
        return ConsumerGroupConfig.builder().groupId("g").topics("a", "b").bootstrapServers("localhost:9092");
    }

    @Test
    void defaultsAreTheNamedConstants() {
        ConsumerGroupConfig c = valid().build();
        assertEquals(ConsumerGroupConfig.DEFAULT_INITIAL_POSITION, c.initialPosition());
        assertEquals(InitialPosition.EARLIEST, c.initialPosition());
        assertEquals(OffsetResetPolicy.failPartition(), c.offsetResetPolicy());
        assertEquals(CommitMode.AT_LEAST_ONCE, c.commitMode());
        assertEquals(ConsumerGroupConfig.DEFAULT_COMMIT_INTERVAL, c.commitInterval());
        assertEquals(ConsumerGroupConfig.DEFAULT_MAX_QUEUED_RECORDS, c.maxQueuedRecords());
        assertEquals(ConsumerGroupConfig.DEFAULT_MAX_QUEUED_BYTES, c.maxQueuedBytes());
        assertEquals(ConsumerGroupConfig.DEFAULT_METADATA_MAX_AGE, c.metadataMaxAge());
        assertEquals(List.of("a", "b"), c.topics());
    }

    @Test
    void settersRejectBadValuesAtOnce() {
        ConsumerGroupConfig.Builder b = ConsumerGroupConfig.builder();
        assertThrows(IllegalArgumentException.class, () -> b.groupId(" "));
        assertThrows(IllegalArgumentException.class, () -> b.commitInterval(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> b.commitInterval(Duration.ofMillis(-1)));
        assertThrows(IllegalArgumentException.class, () -> b.maxQueuedRecords(0));
        assertThrows(IllegalArgumentException.class, () -> b.maxQueuedBytes(0));
        assertThrows(IllegalArgumentException.class, () -> b.pauseAbove(1.0));
        assertThrows(IllegalArgumentException.class, () -> b.topics(List.of()));
        assertThrows(NullPointerException.class, () -> b.initialPosition(null));
        assertThrows(IllegalArgumentException.class, () -> OffsetResetPolicy.byDuration(Duration.ZERO));
    }

    @Test
    void buildChecksRulesAcrossSettings() {
        assertThrows(IllegalArgumentException.class, () -> valid().topicPattern(Pattern.compile("x.*")).build(),
                "topics and pattern are exclusive");
        assertThrows(IllegalArgumentException.class,
                () -> ConsumerGroupConfig.builder().groupId("g").bootstrapServers("h:1").build(), "a subscription is required");
        assertThrows(IllegalArgumentException.class,
                () -> ConsumerGroupConfig.builder().groupId("g").topics("t").build(), "bootstrap servers required");
        assertThrows(IllegalArgumentException.class, () -> valid().kafkaProperty("enable.auto.commit", "true").build());
        IllegalArgumentException reset = assertThrows(IllegalArgumentException.class,
                () -> valid().kafkaProperty("auto.offset.reset", "earliest").build());
        assertTrue(reset.getMessage().contains("initialPosition"), reset.getMessage());
        assertThrows(IllegalArgumentException.class, () -> valid().pauseAbove(0.4).resumeBelow(0.5).build());
        assertThrows(IllegalArgumentException.class,
                () -> valid().kafkaProperty("max.poll.interval.ms", 5000).revokeTimeout(Duration.ofSeconds(5)).build(),
                "the revoke wait must end before the rebalance times out");
    }

    @Test
    void fromIsACopyThatLeavesTheOriginalUnchanged() {
        ConsumerGroupConfig base = valid().build();
        ConsumerGroupConfig changed = ConsumerGroupConfig.from(base).maxQueuedRecords(5).build();
        assertEquals(5, changed.maxQueuedRecords());
        assertEquals(ConsumerGroupConfig.DEFAULT_MAX_QUEUED_RECORDS, base.maxQueuedRecords());
        assertThrows(UnsupportedOperationException.class, () -> base.kafkaProperties().put("x", "y"));
    }

    @Test
    void propertiesFileMapsOntoTheSameBuilders() {
        Properties p = new Properties();
        p.setProperty("syncer.consumer.group.id", "access-log");
        p.setProperty("syncer.consumer.topic.pattern", "access-.*");
        p.setProperty("syncer.consumer.bootstrap.servers", "k1:9092,k2:9092");
        p.setProperty("syncer.consumer.initial.position", "latest");
        p.setProperty("syncer.consumer.offset.reset.policy", "by-duration:2h");
        p.setProperty("syncer.consumer.commit.interval", "500ms");
        p.setProperty("syncer.consumer.max.queued.records", "20_000");
        p.setProperty("syncer.consumer.log.context", "true");
        p.setProperty("kafka.consumer.group.protocol", "consumer");
        p.setProperty("syncer.worker.workers", "16");
        p.setProperty("syncer.worker.ordering", "partition");
        p.setProperty("syncer.worker.retry.initial.backoff", "PT0.25S");
        p.setProperty("syncer.worker.retry.max.attempts", "3");
        p.setProperty("syncer.producer.delivery.timeout", "45s");
        p.setProperty("kafka.producer.bootstrap.servers", "k1:9092");
        p.setProperty("kafka.producer.compression.type", "lz4");
        p.setProperty("unrelated.key", "ignored");

        ConsumerGroupConfig c = ConsumerGroupConfig.fromProperties(p);
        assertEquals("access-log", c.groupId());
        assertEquals("access-.*", c.topicPattern().pattern());
        assertEquals(InitialPosition.LATEST, c.initialPosition());
        assertEquals(OffsetResetPolicy.byDuration(Duration.ofHours(2)), c.offsetResetPolicy());
        assertEquals(Duration.ofMillis(500), c.commitInterval());
        assertEquals(20_000, c.maxQueuedRecords());
        assertEquals(true, c.logContext());
        assertEquals(false, ConsumerGroupConfig.builder().groupId("g").topics("t").bootstrapServers("k:9092").build()
                .logContext(), "off by default (ConsumerGroupConfig.DEFAULT_LOG_CONTEXT)");
        Properties bad = new Properties();
        bad.putAll(p);
        bad.setProperty("syncer.consumer.log.context", "yes");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConsumerGroupConfig.fromProperties(bad));
        assertTrue(e.getMessage().contains("syncer.consumer.log.context must be true or false"), e.getMessage());
        assertEquals("consumer", c.kafkaProperties().get("group.protocol"));
        assertEquals("k1:9092,k2:9092", c.kafkaProperties().get("bootstrap.servers"));

        QueueWorkerConfig w = QueueWorkerConfig.fromProperties(p);
        assertEquals(16, w.workers());
        assertEquals(OrderingMode.PARTITION, w.ordering());
        assertEquals(Duration.ofMillis(250), w.retryPolicy().initialBackoff());
        assertEquals(3, w.retryPolicy().maxAttempts());

        QueueWorkerConfig raised = w.withMaxInFlight(20_000);
        assertEquals(20_000, raised.maxInFlight());
        assertEquals(16, raised.workers(), "everything else is kept");
        assertEquals(OrderingMode.PARTITION, raised.ordering());
        assertEquals(w.retryPolicy(), raised.retryPolicy());
        assertEquals(w.deadLetterPolicy(), raised.deadLetterPolicy());
        assertThrows(IllegalArgumentException.class, () -> w.withMaxInFlight(0));

        KafkaProducersConfig k = KafkaProducersConfig.fromProperties(p);
        assertEquals(Duration.ofSeconds(45), k.deliveryTimeout());
        assertEquals("lz4", k.kafkaProperties().get("compression.type"));
    }

    @Test
    void propertiesFileRejectsUnknownKeysAndBadValuesWithTheKeyName() {
        Properties typo = new Properties();
        typo.setProperty("syncer.consumer.group.id", "g");
        typo.setProperty("syncer.consumer.topic", "t");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConsumerGroupConfig.fromProperties(typo));
        assertTrue(e.getMessage().contains("syncer.consumer.topic"), e.getMessage());

        Properties bad = new Properties();
        bad.setProperty("syncer.consumer.commit.interval", "soon");
        e = assertThrows(IllegalArgumentException.class, () -> ConsumerGroupConfig.fromProperties(bad));
        assertTrue(e.getMessage().contains("syncer.consumer.commit.interval"), e.getMessage());
    }

    @Test
    void toStringNeverPrintsKafkaPropertyValues() {
        String s = valid().kafkaProperty("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule "
                + "required username=\"u\" password=\"hunter2\";").build().toString();
        assertTrue(!s.contains("hunter2") && s.contains("sasl.jaas.config"), s);
    }

    /** Issue 16, item 6: a group id given only as a Kafka property gets a message that names the syncer key. */
    @Test
    void aGroupIdGivenOnlyAsAKafkaPropertyIsNamedInTheError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConsumerGroupConfig.builder()
                .topics("t").bootstrapServers("localhost:9092").kafkaProperty("group.id", "g").build());
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("syncer.consumer.group.id")
                && e.getMessage().contains("groupId("), e.getMessage());
    }
}
