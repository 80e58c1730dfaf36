package io.syncer.internal.queue;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.syncer.RetriableSyncerException;
import io.syncer.consume.DrainMode;
import io.syncer.consume.PartitionClaim;
import io.syncer.failure.DeadLetterHeaders;
import io.syncer.failure.DeadLetterPolicy;
import io.syncer.failure.RetryPolicy;
import io.syncer.internal.produce.DefaultKafkaProducers;
import io.syncer.internal.queue.DefaultQueueWorkerTest.FakeSession;
import io.syncer.produce.KafkaProducers;
import io.syncer.produce.KafkaProducersConfig;
import io.syncer.queue.AsyncConsumeWorker;
import io.syncer.queue.OrderingMode;
import io.syncer.queue.QueueWorkerConfig;
import io.syncer.queue.RecordDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The queue's retry decision when its claim cannot hold a record through a backoff (a share group's lock): the
 * record is given back for redelivery, and on its last delivery it is dead-lettered with its delivery count.
 */
@Timeout(30)
class LockAwareRetryTest {
    private static final TopicPartition P0 = new TopicPartition("t", 0);

    /** A claim whose lock has no room for any backoff. */
    static final class NoRoomClaim implements PartitionClaim {
        final List<ConsumerRecord<byte[], byte[]>> records;
        final boolean redeliverable;
        final List<Long> processed = new CopyOnWriteArrayList<>();
        final List<Long> givenBack = new CopyOnWriteArrayList<>();

        NoRoomClaim(ConsumerRecord<byte[], byte[]> record, boolean redeliverable) {
            this.records = List.of(record);
            this.redeliverable = redeliverable;
        }

        @Override
        public TopicPartition topicPartition() {
            return P0;
        }

        @Override
        public List<ConsumerRecord<byte[], byte[]>> records() {
            return records;
        }

        @Override
        public boolean markProcessed(ConsumerRecord<byte[], byte[]> record) {
            return processed.add(record.offset());
        }

        @Override
        public void halt(ConsumerRecord<byte[], byte[]> record, String reason) {
            throw new AssertionError("no halt: " + reason);
        }

        @Override
        public void giveBack(ConsumerRecord<byte[], byte[]> record) {
            givenBack.add(record.offset());
        }

        @Override
        public boolean isStopped() {
            return false;
        }

        @Override
        public boolean canRetryInPlace(ConsumerRecord<byte[], byte[]> record, Duration backoff) {
            return false;
        }

        @Override
        public boolean canRedeliver(ConsumerRecord<byte[], byte[]> record) {
            return redeliverable;
        }
    }

    private static ConsumerRecord<byte[], byte[]> record(short deliveryCount) {
        return new ConsumerRecord<>(P0.topic(), P0.partition(), 7, 0L, TimestampType.CREATE_TIME, 0, 1, null,
                "v".getBytes(StandardCharsets.UTF_8), new RecordHeaders(), Optional.empty(), Optional.of(deliveryCount));
    }

    @Test
    void noRoomInTheLockGivesTheRecordBackAndTheLastDeliveryIsDeadLetteredWithItsCount() {
        MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
        KafkaProducers producers = new DefaultKafkaProducers(
                KafkaProducersConfig.builder().bootstrapServers("unused:9092").build(), props -> producer);
        AtomicInteger calls = new AtomicInteger();
        DefaultQueueWorker<ConsumerRecord<byte[], byte[]>> q = new DefaultQueueWorker<>(
                QueueWorkerConfig.builder().workers(1).ordering(OrderingMode.UNORDERED)
                        .retryPolicy(RetryPolicy.builder().maxAttempts(10).initialBackoff(Duration.ofMillis(1)).build())
                        .deadLetterPolicy(DeadLetterPolicy.toTopic(producers, "dlt")).build(),
                RecordDecoder.identity(), AsyncConsumeWorker.blocking((id, r) -> {
                    calls.incrementAndGet();
                    throw new RetriableSyncerException("down");
                }));
        try {
            q.setup(FakeSession.assigned(Set.of(P0)));
            NoRoomClaim early = new NoRoomClaim(record((short) 2), true);
            q.consumeClaim(FakeSession.assigned(Set.of(P0)), early);
            await().atMost(Duration.ofSeconds(5)).until(() -> !early.givenBack.isEmpty());
            assertEquals(List.of(7L), early.givenBack, "released for the broker to deliver again, not retried here");
            assertEquals(1, calls.get(), "one attempt: the backoff did not fit the lock");
            assertTrue(producer.history().isEmpty(), "no dead letter while deliveries are left");

            NoRoomClaim last = new NoRoomClaim(record((short) 5), false);
            q.consumeClaim(FakeSession.assigned(Set.of(P0)), last);
            await().atMost(Duration.ofSeconds(5)).until(() -> !last.processed.isEmpty());
            assertEquals(List.of(), last.givenBack, "never released on its last delivery");
            ProducerRecord<byte[], byte[]> dead = producer.history().get(0);
            assertEquals("delivery-limit", header(dead, DeadLetterHeaders.REASON));
            assertEquals("5", header(dead, DeadLetterHeaders.DELIVERY_COUNT));
            assertEquals(List.of(7L), last.processed, "acknowledged (accepted) only after the dead letter");
        } finally {
            q.close(Duration.ofSeconds(5), DrainMode.ABANDON);
        }
    }

    private static String header(ProducerRecord<byte[], byte[]> r, String key) {
        return new String(r.headers().lastHeader(key).value(), StandardCharsets.UTF_8);
    }
}
