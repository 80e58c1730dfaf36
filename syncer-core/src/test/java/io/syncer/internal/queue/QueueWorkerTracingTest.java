package io.syncer.internal.queue;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.syncer.RetriableSyncerException;
import io.syncer.SyncerException;
import io.syncer.consume.DrainMode;
import io.syncer.failure.RetryPolicy;
import io.syncer.internal.queue.DefaultQueueWorkerTest.FakeClaim;
import io.syncer.internal.queue.DefaultQueueWorkerTest.FakeSession;
import io.syncer.queue.AsyncConsumeWorker;
import io.syncer.queue.OrderingMode;
import io.syncer.queue.QueueWorkerConfig;
import io.syncer.queue.RecordDecoder;
import io.syncer.trace.TraceScope;
import io.syncer.trace.TraceSpan;
import io.syncer.trace.Tracing;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Headers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The queue's use of the tracing SPI: one span per record, started before its first attempt and ended once
 * with its outcome; the span current around every attempt and nothing current after; retries as events.
 */
@Timeout(30)
class QueueWorkerTracingTest {
    private static final TopicPartition P0 = new TopicPartition("t", 0);

    /** What the worker sees as current, per thread: set by the recorded spans' scopes. */
    private static final ThreadLocal<RecordedSpan> CURRENT = new ThreadLocal<>();

    @Test
    void eachRecordHasOneSpanCurrentAroundEveryAttemptAndEndedOnceWithItsOutcome() {
        Map<Long, RecordedSpan> spans = new ConcurrentHashMap<>();
        AtomicInteger opened = new AtomicInteger();
        Tracing tracing = new Tracing() {
            @Override
            public TraceSpan startRecord(String group, ConsumerRecord<byte[], byte[]> record) {
                RecordedSpan s = new RecordedSpan(opened);
                if (spans.put(record.offset(), s) != null) {
                    throw new AssertionError("a second span for offset " + record.offset());
                }
                return s;
            }

            @Override
            public TraceSpan startSinkWrite(String group, String sink, List<TraceSpan> records) {
                throw new AssertionError("no sinks here");
            }
        };
        Map<Long, List<RecordedSpan>> currentInWorker = new ConcurrentHashMap<>();
        Map<Long, AtomicInteger> attempts = new ConcurrentHashMap<>();
        DefaultQueueWorker<ConsumerRecord<byte[], byte[]>> queue = new DefaultQueueWorker<>(
                QueueWorkerConfig.builder().workers(2).ordering(OrderingMode.UNORDERED).tracing(tracing)
                        .retryPolicy(RetryPolicy.builder().maxAttempts(5).initialBackoff(Duration.ofMillis(1)).build())
                        .build(),
                RecordDecoder.identity(),
                AsyncConsumeWorker.blocking((id, r) -> {
                    currentInWorker.computeIfAbsent(r.offset(), o -> new CopyOnWriteArrayList<>()).add(CURRENT.get());
                    int attempt = attempts.computeIfAbsent(r.offset(), o -> new AtomicInteger()).incrementAndGet();
                    if (r.offset() == 3 && attempt <= 2) {
                        throw new RetriableSyncerException("flaky " + attempt);
                    }
                    if (r.offset() == 7) {
                        throw new SyncerException("fatal"); // the default policy halts the partition
                    }
                }));
        try {
            queue.setup(FakeSession.assigned(Set.of(P0)));
            FakeClaim claim = FakeClaim.of(P0, 0, 7, i -> "k" + i); // offsets 0..6
            queue.consumeClaim(FakeSession.assigned(Set.of(P0)), claim);
            await().atMost(Duration.ofSeconds(10)).until(() -> claim.processed.size() == 7);
            FakeClaim halting = FakeClaim.of(P0, 7, 1, i -> "k7");
            queue.consumeClaim(FakeSession.assigned(Set.of(P0)), halting);
            await().atMost(Duration.ofSeconds(10)).until(() -> halting.halts.size() == 1);
            await().atMost(Duration.ofSeconds(5)).until(() -> spans.values().stream().allMatch(s -> s.ended.size() == 1));

            assertEquals(8, spans.size());
            for (long offset = 0; offset < 8; offset++) {
                RecordedSpan s = spans.get(offset);
                String expected = offset == 7 ? TraceSpan.HALTED : TraceSpan.PROCESSED;
                assertEquals(List.of(expected), s.ended, "outcome of " + offset);
                for (RecordedSpan current : currentInWorker.get(offset)) {
                    assertSame(s, current, "the record's own span is current in every attempt of " + offset);
                }
            }
            assertEquals(3, currentInWorker.get(3L).size(), "offset 3 ran three times");
            assertEquals(List.of(1, 2), spans.get(3L).retries, "two failed attempts as retry events");
            assertEquals(0, opened.get(), "every scope closed");
        } finally {
            queue.close(Duration.ofSeconds(5), DrainMode.ABANDON);
        }
    }

    /** A span that records what syncer did with it. */
    static final class RecordedSpan implements TraceSpan {
        final AtomicInteger opened;
        final List<String> ended = new CopyOnWriteArrayList<>();
        final List<Integer> retries = new CopyOnWriteArrayList<>();

        RecordedSpan(AtomicInteger opened) {
            this.opened = opened;
        }

        @Override
        public TraceScope makeCurrent() {
            RecordedSpan before = CURRENT.get();
            CURRENT.set(this);
            opened.incrementAndGet();
            return () -> {
                opened.decrementAndGet();
                CURRENT.set(before);
            };
        }

        @Override
        public void inject(Headers headers) {
        }

        @Override
        public void retrying(int attempt, Throwable error) {
            retries.add(attempt);
        }

        @Override
        public void end(String outcome, Throwable error) {
            ended.add(outcome);
        }
    }
}
