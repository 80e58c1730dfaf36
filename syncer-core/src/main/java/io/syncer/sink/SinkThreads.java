package io.syncer.sink;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Threads a sink owns (an insert pool, a results thread): named
 * {@code syncer-sink-<sink>-<role>-<n>}, daemons (a sink's helper must never keep the JVM alive;
 * the sink's {@code close} ends them), and an uncaught failure is logged, never silent. The one way
 * every sink module makes its threads.
 */
public final class SinkThreads {
    private static final Logger LOG = LoggerFactory.getLogger(SinkThreads.class);

    private SinkThreads() {
    }

    /**
     * A factory for one role of a sink's threads.
     *
     * @param sink the sink's name
     * @param role what the threads do ({@code insert}, {@code results}, {@code send})
     * @return the factory; threads are numbered from 0
     */
    public static ThreadFactory factory(String sink, String role) {
        String prefix = "syncer-sink-" + sink + "-" + role + "-";
        AtomicInteger next = new AtomicInteger();
        return body -> newThread(prefix + next.getAndIncrement(), body);
    }

    /**
     * One thread of a sink, not started.
     *
     * @param name the full thread name
     * @param body what it runs
     * @return the thread
     */
    public static Thread newThread(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.setUncaughtExceptionHandler((thread, e) -> LOG.error("uncaught exception in thread {}", thread.getName(), e));
        return t;
    }
}
