package io.syncer.test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * The fault script of a {@link ClsEndpoint}: what the next requests get instead of normal processing.
 *
 * <p>{@link #decide} is called on handler threads once a request has passed authentication; in this order it holds
 * the request while {@code stallAll} is on, then answers the {@code failFor} window's status, then the request's
 * topic's {@code failNext}, then the any-topic {@code failNext}, then drops it ({@code dropNext}), then holds it for a
 * {@code stallNext} and lets it proceed. Scripted counts are consumed in the order they were added. The
 * {@link #rejectRule() content rule} is applied by the endpoint once the body is decoded. A held request counts in
 * {@link #held()} from the start of its hold until the endpoint calls {@link #finished} for it. Thread-safe: one lock
 * guards the script, and holds wait on its condition without blocking the scripting methods.
 */
final class ClsFaults {
    private static final long WATCH_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    /** What to do with a request. */
    enum Kind {
        /** Process it normally. */
        PROCEED,
        /** Answer {@link Decision#status()}. */
        FAIL,
        /** Close the connection without answering. */
        DROP,
        /** The client gave up or the endpoint closed while it was held: no answer, nothing stored. */
        ABANDON
    }

    /**
     * A decision for one request.
     *
     * @param kind what to do
     * @param status the status to answer, for {@link Kind#FAIL}
     * @param held whether the request was held: it counts in {@link #held()} until {@link #finished} is called
     */
    record Decision(Kind kind, int status, boolean held) {
    }

    private static final class Counted<T> {
        int remaining;
        final T value;

        Counted(int remaining, T value) {
            this.remaining = remaining;
            this.value = value;
        }
    }

    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Deque<Counted<Integer>> failAny = new ArrayDeque<>();
    private final Map<String, Deque<Counted<Integer>>> failByTopic = new HashMap<>();
    private final Deque<Counted<Duration>> stalls = new ArrayDeque<>();
    private Instant failUntil = Instant.MIN;
    private int failForStatus;
    private int drops;
    private boolean stallAll;
    private boolean closed;
    private int held;
    private volatile Predicate<? super ClsLog> rejectRule;

    ClsFaults(Clock clock) {
        this.clock = clock;
    }

    void failNext(String topicId, int times, int status) {
        lock.lock();
        try {
            Deque<Counted<Integer>> queue = topicId == null ? failAny
                    : failByTopic.computeIfAbsent(topicId, t -> new ArrayDeque<>());
            queue.add(new Counted<>(times, status));
        } finally {
            lock.unlock();
        }
    }

    void failFor(Duration window, int status) {
        lock.lock();
        try {
            failUntil = clock.instant().plus(window);
            failForStatus = status;
        } finally {
            lock.unlock();
        }
    }

    void stallNext(int times, Duration stall) {
        lock.lock();
        try {
            stalls.add(new Counted<>(times, stall));
        } finally {
            lock.unlock();
        }
    }

    void dropNext(int times) {
        lock.lock();
        try {
            drops = Math.addExact(drops, times);
        } finally {
            lock.unlock();
        }
    }

    void stallAll(boolean on) {
        lock.lock();
        try {
            stallAll = on;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    void rejectLogsWhere(Predicate<? super ClsLog> rule) {
        rejectRule = rule;
    }

    /** The rule set by {@code rejectLogsWhere}, or {@code null}. */
    Predicate<? super ClsLog> rejectRule() {
        return rejectRule;
    }

    /** Forgets the script and turns {@code stallAll} off; requests already in a {@code stallNext} finish it. */
    void clear() {
        rejectRule = null;
        lock.lock();
        try {
            failAny.clear();
            failByTopic.clear();
            stalls.clear();
            failUntil = Instant.MIN;
            drops = 0;
            stallAll = false;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Releases every held request as {@link Kind#ABANDON}, now and from now on. */
    void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Requests held now, or released but not yet {@link #finished}. */
    int held() {
        lock.lock();
        try {
            return held;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Called once the request's answer is decided and its logs stored, so that {@link #held()} reaching 0 means
     * every held request has been dealt with.
     *
     * @param decision the request's decision
     */
    void finished(Decision decision) {
        if (decision.held()) {
            changeHeld(-1);
        }
    }

    /**
     * Decides what a request gets; may block while the request is held.
     *
     * @param topicId the request's topic
     * @param watch polled while {@code stallAll} holds the request
     * @return the decision; pass it to {@link #finished} when done with the request
     * @throws InterruptedException if the handler thread is interrupted (the endpoint is closing)
     */
    Decision decide(String topicId, ClsHttpServer.ClientWatch watch) throws InterruptedException {
        Hold hold = new Hold();
        try {
            if (!awaitStallAllOff(watch, hold)) {
                return new Decision(Kind.ABANDON, 0, hold.counted);
            }
            Duration stall;
            lock.lock();
            try {
                if (clock.instant().isBefore(failUntil)) {
                    return new Decision(Kind.FAIL, failForStatus, hold.counted);
                }
                Integer status = take(failByTopic.get(topicId));
                if (status == null) {
                    status = take(failAny);
                }
                if (status != null) {
                    return new Decision(Kind.FAIL, status, hold.counted);
                }
                if (drops > 0) {
                    drops--;
                    return new Decision(Kind.DROP, 0, hold.counted);
                }
                stall = take(stalls);
                if (stall == null) {
                    return new Decision(Kind.PROCEED, 0, hold.counted);
                }
                if (!hold.counted) {
                    this.held++;
                    hold.counted = true;
                }
                long left = stall.toNanos();
                while (left > 0 && !closed) {
                    left = changed.awaitNanos(left);
                }
                return new Decision(closed ? Kind.ABANDON : Kind.PROCEED, 0, true);
            } finally {
                lock.unlock();
            }
        } catch (InterruptedException | RuntimeException e) {
            if (hold.counted) {
                changeHeld(-1);
            }
            throw e;
        }
    }

    /** Waits while {@code stallAll} is on; false if the client left or the endpoint closed. */
    private boolean awaitStallAllOff(ClsHttpServer.ClientWatch watch, Hold hold) throws InterruptedException {
        while (true) {
            lock.lock();
            try {
                if (closed) {
                    return false;
                }
                if (!stallAll) {
                    return true;
                }
                if (!hold.counted) {
                    this.held++;
                    hold.counted = true;
                }
                changed.awaitNanos(WATCH_INTERVAL_NANOS);
                if (closed) {
                    return false;
                }
                if (!stallAll) {
                    return true;
                }
            } finally {
                lock.unlock();
            }
            if (watch.clientGone()) {
                return false;
            }
        }
    }

    /** Whether a request has been counted in {@code held}; confined to its handler thread. */
    private static final class Hold {
        boolean counted;
    }

    private void changeHeld(int delta) {
        lock.lock();
        try {
            held += delta;
        } finally {
            lock.unlock();
        }
    }

    private static <T> T take(Deque<Counted<T>> queue) {
        if (queue == null || queue.isEmpty()) {
            return null;
        }
        Counted<T> head = queue.peek();
        if (--head.remaining == 0) {
            queue.poll();
        }
        return head.value;
    }
}
