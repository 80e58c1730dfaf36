package io.syncer.internal.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.syncer.consume.ConsumerGroupHandler;
import io.syncer.consume.GroupSession;
import io.syncer.consume.PartitionClaim;
import io.syncer.sink.Sink;
import io.syncer.sink.SinkRecord;
import io.syncer.sink.SinkResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** Sinks learn where each assigned partition starts, once per assignment, before the queue sees the record. */
class SinkPartitionEventsTest {
    private static final TopicPartition P0 = new TopicPartition("logs", 0);
    private static final TopicPartition P1 = new TopicPartition("logs", 1);

    private final List<String> events = new ArrayList<>();

    private final Sink<String> sink = new Sink<>() {
        @Override
        public String name() {
            return "s";
        }

        @Override
        public CompletionStage<List<SinkResult>> write(List<SinkRecord<String>> batch) {
            return CompletableFuture.completedFuture(List.of());
        }

        @Override
        public void partitionAssigned(TopicPartition partition, long firstOffset) {
            events.add("assigned " + partition + "@" + firstOffset);
        }

        @Override
        public void partitionsRevoked(Collection<TopicPartition> partitions) {
            events.add("revoked " + partitions);
        }
    };

    private final ConsumerGroupHandler queue = new ConsumerGroupHandler() {
        @Override
        public void consumeClaim(GroupSession session, PartitionClaim claim) {
            events.add("queued " + claim.topicPartition() + "@" + claim.records().get(0).offset());
        }

        @Override
        public void cleanup(GroupSession session) {
            events.add("cleanup " + session.revokedPartitions());
        }
    };

    @Test
    void eachAssignmentStartsOnceAtItsFirstRecordAndARevokeForgetsIt() throws Exception {
        SinkPartitionEvents events = new SinkPartitionEvents(queue, List.of(sink));
        Set<TopicPartition> assigned = Set.of(P0, P1);
        events.setup(session(assigned, Set.of(), assigned));
        events.consumeClaim(null, claim(P0, 40));
        events.consumeClaim(null, claim(P0, 45));
        events.consumeClaim(null, claim(P1, 7));
        events.cleanup(session(Set.of(), Set.of(P0), Set.of(P1)));
        events.consumeClaim(null, claim(P1, 9));
        events.setup(session(Set.of(P0), Set.of(), assigned));
        events.consumeClaim(null, claim(P0, 60));
        // an aborted transaction rewinds P1 without a reassignment: it starts again at its next record
        events.cleanup(session(Set.of(), Set.of(P1), assigned));
        events.consumeClaim(null, claim(P1, 8));
        assertEquals(List.of("assigned logs-0@40", "queued logs-0@40", "queued logs-0@45", "assigned logs-1@7",
                "queued logs-1@7", "cleanup [logs-0]", "revoked [logs-0]", "queued logs-1@9", "assigned logs-0@60",
                "queued logs-0@60", "cleanup [logs-1]", "revoked [logs-1]", "assigned logs-1@8", "queued logs-1@8"),
                this.events);
    }

    private static PartitionClaim claim(TopicPartition tp, long first) {
        List<ConsumerRecord<byte[], byte[]>> records = List.of(
                new ConsumerRecord<>(tp.topic(), tp.partition(), first, new byte[0], new byte[0]),
                new ConsumerRecord<>(tp.topic(), tp.partition(), first + 1, new byte[0], new byte[0]));
        return new PartitionClaim() {
            @Override
            public TopicPartition topicPartition() {
                return tp;
            }

            @Override
            public List<ConsumerRecord<byte[], byte[]>> records() {
                return records;
            }

            @Override
            public boolean markProcessed(ConsumerRecord<byte[], byte[]> record) {
                return true;
            }

            @Override
            public void halt(ConsumerRecord<byte[], byte[]> record, String reason) {
            }

            @Override
            public void giveBack(ConsumerRecord<byte[], byte[]> record) {
            }

            @Override
            public boolean isStopped() {
                return false;
            }
        };
    }

    private static GroupSession session(Set<TopicPartition> added, Set<TopicPartition> revoked, Set<TopicPartition> assignment) {
        return new GroupSession() {
            @Override
            public String groupId() {
                return "g";
            }

            @Override
            public Set<TopicPartition> assignment() {
                return assignment;
            }

            @Override
            public Set<TopicPartition> addedPartitions() {
                return added;
            }

            @Override
            public Set<TopicPartition> revokedPartitions() {
                return revoked;
            }

            @Override
            public boolean partitionsLost() {
                return false;
            }

            @Override
            public Duration revokeTimeout() {
                return Duration.ofSeconds(1);
            }

            @Override
            public io.syncer.metrics.SyncerMetrics metrics() {
                return null;
            }
        };
    }
}
