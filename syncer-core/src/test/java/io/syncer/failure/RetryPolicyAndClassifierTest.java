package io.syncer.failure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.syncer.RecordDecodeException;
import io.syncer.RetriableSyncerException;
import io.syncer.SyncerException;
import java.io.IOException;
import java.time.Duration;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.junit.jupiter.api.Test;

class RetryPolicyAndClassifierTest {
    @Test
    void retryStopsAtMaxAttemptsOrMaxElapsed() {
        RetryPolicy p = RetryPolicy.builder().maxAttempts(3).maxElapsed(Duration.ofSeconds(10)).build();
        assertTrue(p.shouldRetry(1, Duration.ZERO));
        assertTrue(p.shouldRetry(2, Duration.ofSeconds(9)));
        assertFalse(p.shouldRetry(3, Duration.ZERO), "three attempts made: no fourth");
        assertFalse(p.shouldRetry(1, Duration.ofSeconds(10)), "time is up");
        assertFalse(RetryPolicy.noRetries().shouldRetry(1, Duration.ZERO));
        assertTrue(RetryPolicy.forever().shouldRetry(1_000_000, Duration.ofDays(365)));
    }

    @Test
    void backoffGrowsExponentiallyWithinJitterAndIsCapped() {
        RetryPolicy p = RetryPolicy.builder().initialBackoff(Duration.ofMillis(100)).maxBackoff(Duration.ofSeconds(1))
                .multiplier(2).jitter(0.2).build();
        for (int i = 0; i < 200; i++) {
            long first = p.backoff(1).toMillis();
            long third = p.backoff(3).toMillis();
            long tenth = p.backoff(10).toMillis();
            assertTrue(first >= 80 && first <= 120, "first " + first);
            assertTrue(third >= 320 && third <= 480, "third " + third);
            assertTrue(tenth >= 800 && tenth <= 1200, "capped " + tenth);
        }
        assertEquals(Duration.ofMillis(100), RetryPolicy.builder().initialBackoff(Duration.ofMillis(100)).jitter(0).build().backoff(1));
        assertThrows(IllegalArgumentException.class,
                () -> RetryPolicy.builder().initialBackoff(Duration.ofSeconds(2)).maxBackoff(Duration.ofSeconds(1)).build());
        assertThrows(IllegalArgumentException.class, () -> RetryPolicy.builder().jitter(1.0));
        assertThrows(IllegalArgumentException.class, () -> RetryPolicy.builder().maxAttempts(0));
    }

    @Test
    void defaultClassification() {
        ErrorClassifier c = ErrorClassifier.defaults();
        assertTrue(c.isRetriable(new IOException("connection reset")), "unknown failures are presumed transient");
        assertTrue(c.isRetriable(new RetriableSyncerException("sink throttled")));
        assertTrue(c.isRetriable(new NotLeaderOrFollowerException("moved")));
        assertFalse(c.isRetriable(new SyncerException("mapping rejected")));
        assertFalse(c.isRetriable(new RecordDecodeException("not JSON", null)));
        assertFalse(c.isRetriable(new RecordTooLargeException("too big")));
        assertFalse(c.isRetriable(new ClassCastException()));
        assertFalse(c.isRetriable(new IllegalStateException("wrapped", new RecordDecodeException("bad", null))),
                "causes are consulted when the outer exception has no rule");
    }

    @Test
    void userRulesComeFirstAndFatalBeatsRetriable() {
        ErrorClassifier c = ErrorClassifier.builder()
                .fatal(IllegalArgumentException.class)
                .retriable(ClassCastException.class, NumberFormatException.class)
                .build();
        assertFalse(c.isRetriable(new IllegalArgumentException("bad tenant")));
        assertFalse(c.isRetriable(new NumberFormatException("x")), "NumberFormatException is an IllegalArgumentException");
        assertTrue(c.isRetriable(new ClassCastException()), "user rule overrides the default fatal list");
    }
}
