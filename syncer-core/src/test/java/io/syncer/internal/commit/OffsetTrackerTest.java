package io.syncer.internal.commit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class OffsetTrackerTest {
    private static final TopicPartition TP = new TopicPartition("t", 0);

    private final QueueBudget budget = new QueueBudget(1_000_000, Long.MAX_VALUE);

    private long committable(OffsetTracker t) {
        return t.committable().map(OffsetAndMetadata::offset).orElse(-1L);
    }

    /**
     * Defect 3 (issue 11): behind one unfinished record the ring keeps a slot per later record; its span is what
     * admission must bound, and once the head finishes the ring gives the memory back.
     */
    @Test
    void theSpanBehindAnUnfinishedHeadIsReportedAndTheRingShrinksAfterIt() {
        OffsetTracker t = new OffsetTracker(TP, budget, false);
        long head = t.register(0, 0, 1);
        for (long o = 1; o < 100_000; o++) {
            t.complete(t.register(o, 0, 1));
        }
        assertEquals(1, t.outstandingRecords(), "only the head is unfinished");
        assertEquals(100_000, t.span(), "but the ring holds every record behind it");
        assertTrue(t.capacity() >= 100_000);
        t.complete(head);
        assertEquals(0, t.span());
        assertTrue(t.capacity() <= 1_024, "the ring shrank once the span fell: capacity " + t.capacity());
        t.complete(t.register(100_000, 0, 1));
        assertEquals(100_001, t.committable().orElseThrow().offset());
    }

    @Test
    void nothingRegisteredMeansNothingToCommit() {
        OffsetTracker t = new OffsetTracker(TP, budget, false);
        assertEquals(Optional.empty(), t.committable());
    }

    @Test
    void commitsOnlyTheContiguousCompletedPrefix() {
        OffsetTracker t = new OffsetTracker(TP, budget, false);
        for (int i = 0; i < 3; i++) {
            budget.tryReserve(5);
        }
        long s10 = t.register(10, 3, 5);
        long s11 = t.register(11, 3, 5);
        long s12 = t.register(12, 3, 5);
        assertEquals(10, committable(t));
        assertEquals(Optional.of(3), t.committable().get().leaderEpoch());

        assertTrue(t.complete(s12));
        assertEquals(10, committable(t), "a later completion must not move the offset past an unfinished record");
        assertTrue(t.complete(s10));
        assertEquals(11, committable(t));
        assertTrue(t.complete(s11));
        assertEquals(13, committable(t), "all complete: commit one past the last record");
        assertEquals(0, t.outstandingRecords());
        assertEquals(0, budget.records());
    }

    @Test
    void completeOffsetHandlesGapsFromCompactionOrTransactions() {
        OffsetTracker t = new OffsetTracker(TP, budget, false);
        long[] offsets = {5, 6, 9, 10, 20, 21, 22, 40};
        for (long o : offsets) {
            budget.tryReserve(1);
            t.register(o, -1, 1);
        }
        assertTrue(t.completeOffset(9));
        assertTrue(t.completeOffset(40));
        assertFalse(t.completeOffset(7), "an offset never registered is unknown");
        assertFalse(t.completeOffset(9), "completion is idempotent");
        assertEquals(5, committable(t));
        assertTrue(t.completeOffset(5));
        assertTrue(t.completeOffset(6));
        assertEquals(10, committable(t));
        for (long o : new long[] {10, 20, 21, 22}) {
            assertTrue(t.completeOffset(o));
        }
        assertEquals(41, committable(t));
    }

    @Test
    void randomCompletionOrderMatchesAModel() {
        Random random = new Random(42);
        OffsetTracker t = new OffsetTracker(TP, budget, false);
        List<Long> seqs = new ArrayList<>();
        List<Long> offsets = new ArrayList<>();
        long offset = 0;
        for (int i = 0; i < 5_000; i++) {
            offset += 1 + (random.nextInt(10) == 0 ? random.nextInt(5) : 0);
            budget.tryReserve(10);
            seqs.add(t.register(offset, -1, 10));
            offsets.add(offset);
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < seqs.size(); i++) {
            order.add(i);
        }
        Collections.shuffle(order, random);
        TreeSet<Integer> incomplete = new TreeSet<>(order);
        for (int i : order) {
            assertTrue(t.complete(seqs.get(i)));
            incomplete.remove(i);
            long expected = incomplete.isEmpty() ? offsets.get(offsets.size() - 1) + 1 : offsets.get(incomplete.first());
            assertEquals(expected, committable(t));
        }
        assertEquals(0, budget.records());
        assertEquals(0, budget.bytes());
    }

    @Test
    void ringGrowsAndWrapsWithoutLosingEntries() {
        OffsetTracker t = new OffsetTracker(TP, budget, false);
        long next = 0;
        List<Long> pending = new ArrayList<>();
        for (int round = 0; round < 50; round++) {
            for (int i = 0; i < 100; i++) {
                budget.tryReserve(1);
                pending.add(t.register(next++, -1, 1));
            }
            // complete all but the oldest 30, then the oldest, keeping the window moving
            for (int i = 30; i < pending.size(); i++) {
                t.complete(pending.get(i));
            }
            for (int i = 0; i < 30 && i < pending.size(); i++) {
                t.complete(pending.get(i));
            }
            pending.clear();
            assertEquals(next, committable(t));
        }
    }

    @Test
    void atMostOnceCommitsOnRegistrationButStillCountsBudget() {
        OffsetTracker t = new OffsetTracker(TP, budget, true);
        budget.tryReserve(7);
        long s = t.register(100, -1, 7);
        assertEquals(101, committable(t), "at-most-once commits as soon as the record is queued");
        assertEquals(1, budget.records());
        t.complete(s);
        assertEquals(0, budget.records());
    }

    @Test
    void closeReleasesBudgetAndIgnoresLateCompletions() {
        OffsetTracker t = new OffsetTracker(TP, budget, false);
        budget.tryReserve(4);
        budget.tryReserve(6);
        long a = t.register(0, -1, 4);
        t.register(1, -1, 6);
        t.close();
        assertEquals(0, budget.records());
        assertEquals(0, budget.bytes());
        assertFalse(t.complete(a), "late completion after revoke is ignored");
        assertEquals(0, budget.records(), "and does not release twice");
        assertTrue(t.isClosed());
    }

    @Test
    void offsetsMustIncrease() {
        OffsetTracker t = new OffsetTracker(TP, budget, false);
        t.register(5, -1, 1);
        assertThrows(IllegalStateException.class, () -> t.register(5, -1, 1));
    }

    @Test
    void haltFreezesTheCommitAtTheRecordAndReleasesLaterRecords() {
        OffsetTracker t = new OffsetTracker(TP, budget, false);
        long[] seq = new long[6];
        for (int i = 0; i < 6; i++) {
            budget.tryReserve(1);
            seq[i] = t.register(10 + i, -1, 1);
        }
        t.complete(seq[3]);
        t.halt(12);
        assertTrue(t.isStopped());
        assertEquals(2, budget.records(), "records at or past the halt no longer hold budget; 10 and 11 still do");
        assertEquals(10, committable(t));
        assertTrue(t.complete(seq[0]), "records before the halt may still complete");
        assertTrue(t.complete(seq[1]));
        assertEquals(12, committable(t), "the commit stops at the halted record");
        assertFalse(t.complete(seq[4]), "completions at or past the halt are ignored");
        budget.tryReserve(1);
        t.register(16, -1, 1);
        assertEquals(12, committable(t), "records registered after the halt do not move it either");
        assertEquals(0, budget.records());
        t.halt(14);
        assertEquals(12, committable(t), "only the lowest halt counts");
    }
}
