package io.syncer.internal.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.syncer.queue.OrderingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The shard queue's order: a key runs one record at a time, and the idle key whose head arrived first goes next. */
class ShardQueueTest {
    private static final TopicPartition P0 = new TopicPartition("t", 0);
    private static final TopicPartition P1 = new TopicPartition("t", 1);

    private static ConsumerRecord<byte[], byte[]> record(TopicPartition tp, long offset, String key) {
        return new ConsumerRecord<>(tp.topic(), tp.partition(), offset, key.getBytes(StandardCharsets.UTF_8), new byte[0]);
    }

    @Test
    void aKeyRunsOneRecordAtATimeAndTheOldestIdleHeadGoesNext() {
        ShardQueue q = new ShardQueue(OrderingMode.KEY);
        q.add(record(P0, 0, "a"), null, P0, new AtomicInteger(0));
        q.add(record(P0, 1, "a"), null, P0, new AtomicInteger(0));
        q.add(record(P0, 2, "b"), null, P0, new AtomicInteger(0));
        q.add(record(P0, 3, "a"), null, P0, new AtomicInteger(0));
        QueuedRecord a0 = q.takeNext();
        assertEquals(0, a0.record.offset());
        QueuedRecord b2 = q.takeNext();
        assertEquals(2, b2.record.offset(), "a is busy: b goes next");
        assertTrue(q.noneReady());
        q.release(a0.shard); // a's head is offset 1, older than anything else
        q.add(record(P0, 4, "c"), null, P0, new AtomicInteger(0));
        assertEquals(1, q.takeNext().record.offset());
        assertEquals(4, q.takeNext().record.offset());
        assertEquals(1, q.queued(), "offset 3 waits behind a's running record");
    }

    /** The heap of idle keys against a reference: random releases, retries and arrivals always take the oldest head. */
    @Test
    void theOldestHeadGoesFirstUnderRandomReleasesAndRetries() {
        randomSchedule(0, 0, 0);
    }

    /**
     * The same with a backlog bonus: the key taken is always one with the smallest head arrival less its bonus (3
     * arrivals per record behind its head, at most 40, from 3 records queued), whether it waited in the FIFO, reached
     * the bonus there, or was put back. It fails if a key's bonus is not raised as records join it in the heap.
     */
    @Test
    void aBacklogMovesItsKeyAheadByItsBonusUnderRandomReleasesAndRetries() {
        randomSchedule(3, 40, 3);
    }

    private static void randomSchedule(long perRecord, long cap, int from) {
        Random random = new Random(14);
        ShardQueue q = new ShardQueue(OrderingMode.KEY);
        if (perRecord > 0) {
            q.backlogBonus(perRecord, cap, from);
        }
        List<QueuedRecord> running = new ArrayList<>();
        Map<String, List<Long>> queuedByKey = new HashMap<>();
        long offset = 0;
        for (int step = 0; step < 20_000; step++) {
            int action = random.nextInt(3);
            if (action == 0 || q.noneReady() && running.isEmpty()) {
                String key = "k" + random.nextInt(50);
                q.add(record(P0, offset, key), null, P0, new AtomicInteger(0));
                queuedByKey.computeIfAbsent(key, k -> new ArrayList<>()).add(offset);
                offset++;
            } else if (action == 1 && !q.noneReady()) {
                long expected = smallestIdleKey(queuedByKey, running, perRecord, cap, from);
                QueuedRecord next = q.takeNext();
                List<Long> itsQueue = queuedByKey.get(key(next));
                assertEquals(itsQueue.get(0), next.record.offset(), "a key's records go in order, step " + step);
                assertEquals(expected, scheduleKey(itsQueue, perRecord, cap, from), "step " + step);
                itsQueue.remove(0);
                running.add(next);
            } else if (!running.isEmpty()) {
                QueuedRecord done = running.remove(random.nextInt(running.size()));
                if (random.nextInt(4) == 0) {
                    q.retry(done); // back at the head of its key
                    queuedByKey.get(key(done)).add(0, done.record.offset());
                } else {
                    q.release(done.shard);
                }
            }
        }
    }

    /** A key with a backlog goes ahead of older single records, by its bonus and no more than the cap. */
    @Test
    void aBacklogGoesAheadByItsBonusUpToTheCap() {
        ShardQueue q = new ShardQueue(OrderingMode.KEY);
        q.backlogBonus(10, 25, 2);
        for (int i = 0; i < 4; i++) {
            q.add(record(P0, i, "c" + i), null, P0, new AtomicInteger(0)); // 0..3, one record each
        }
        for (int i = 4; i < 8; i++) {
            q.add(record(P0, i, "hot"), null, P0, new AtomicInteger(0)); // 4..7: three behind its head, bonus 25
        }
        List<Long> order = new ArrayList<>();
        while (!q.noneReady()) {
            QueuedRecord r = q.takeNext();
            order.add(r.record.offset());
            if (r.record.offset() >= 4) {
                q.release(r.shard); // the hot key's next record is ready at once
            }
        }
        // hot counts as 4 - 25 = -21, then 5 - 20 = -15, 6 - 10 = -4: ahead of 0..3; 7 has none behind it and runs at 7
        assertEquals(List.of(4L, 5L, 6L, 0L, 1L, 2L, 3L, 7L), order);
    }

    /** Idle keys are kept for their next record, but not without bound: a stream of new keys keeps the map small. */
    @Test
    void idleKeysAreKeptForTheirNextRecordAndSweptWhenTheyOutnumberTheRest() {
        ShardQueue q = new ShardQueue(OrderingMode.KEY);
        q.add(record(P0, 0, "hot"), null, P0, new AtomicInteger(0));
        QueuedRecord hot = q.takeNext();
        q.release(hot.shard);
        q.add(record(P0, 1, "hot"), null, P0, new AtomicInteger(0));
        QueuedRecord again = q.takeNext();
        assertTrue(hot.shard == again.shard, "the idle key's shard was kept and reused");
        q.release(again.shard);
        int most = 0;
        for (int i = 0; i < 200_000; i++) {
            q.add(record(P0, 2 + i, "k" + i), null, P0, new AtomicInteger(0));
            q.release(q.takeNext().shard);
            most = Math.max(most, q.keys());
        }
        assertTrue(most <= ShardQueue.MIN_IDLE_KEPT + 1, "at most the kept idle keys and one: " + most);
        assertTrue(most > ShardQueue.MIN_IDLE_KEPT / 2, "idle keys were kept: " + most);
        assertTrue(q.noneReady());
        assertEquals(0, q.queued());
    }

    @Test
    void aPurgeDropsTheRevokedPartitionsRecordsAndKeepsTheOrderOfTheRest() {
        ShardQueue q = new ShardQueue(OrderingMode.KEY);
        for (int i = 0; i < 6; i++) {
            TopicPartition tp = i % 2 == 0 ? P0 : P1;
            q.add(record(tp, i, "k" + (i % 3)), null, tp, new AtomicInteger(0));
            q.add(record(tp, 100 + i, "k" + (i % 3)), null, tp, new AtomicInteger(0));
        }
        List<QueuedRecord> taken = new ArrayList<>();
        while (!q.noneReady()) {
            taken.add(q.takeNext());
        }
        taken.forEach(r -> q.release(r.shard)); // every key idle with its second record, in the heap
        assertEquals(3, q.purge(Set.of(P1)), "the revoked partition's three queued records");
        assertEquals(List.of(100L, 102L, 104L), List.of(q.takeNext().record.offset(), q.takeNext().record.offset(),
                q.takeNext().record.offset()));
        assertTrue(q.noneReady());
        assertEquals(0, q.queued());
    }

    @Test
    void aRunTakesTheKeysQueuedRecordsOfTheSameAssignmentUpToItsLimit() {
        ShardQueue q = new ShardQueue(OrderingMode.KEY);
        for (int i = 0; i < 5; i++) {
            q.add(record(P0, i, "hot"), null, P0, new AtomicInteger(0));
        }
        q.add(record(P0, 5, "hot"), null, P0, new AtomicInteger(1)); // queued after a revoke and re-assignment
        QueuedRecord first = q.takeNext();
        List<QueuedRecord> run = q.takeRun(first, 3);
        assertEquals(List.of(0L, 1L, 2L), run.stream().map(r -> r.record.offset()).toList());
        QueuedRecord last = run.get(2);
        List<QueuedRecord> rest = q.takeRun(last, 10);
        assertEquals(List.of(2L, 3L, 4L), rest.stream().map(r -> r.record.offset()).toList(), "not the next assignment's");
        assertNull(q.takeRun(rest.get(2), 10));
    }

    private static String key(QueuedRecord r) {
        return new String(r.record.key(), StandardCharsets.UTF_8);
    }

    private static long smallestIdleKey(Map<String, List<Long>> queuedByKey, List<QueuedRecord> running, long perRecord,
                                        long cap, int from) {
        long smallest = Long.MAX_VALUE;
        for (Map.Entry<String, List<Long>> e : queuedByKey.entrySet()) {
            boolean busy = running.stream().anyMatch(r -> key(r).equals(e.getKey()));
            if (!busy && !e.getValue().isEmpty()) {
                smallest = Math.min(smallest, scheduleKey(e.getValue(), perRecord, cap, from));
            }
        }
        return smallest;
    }

    /** A waiting key's place: its head's arrival (offsets are arrivals here), earlier by its backlog's bonus. */
    private static long scheduleKey(List<Long> queued, long perRecord, long cap, int from) {
        return perRecord == 0 || queued.size() < from ? queued.get(0)
                : queued.get(0) - Math.min(cap, (queued.size() - 1) * perRecord);
    }
}
