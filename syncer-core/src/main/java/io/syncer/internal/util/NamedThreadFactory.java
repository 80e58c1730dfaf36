package io.syncer.internal.util;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates daemon-free threads named {@code <prefix>-<n>} with an uncaught-exception handler that
 * logs, so no syncer thread is anonymous or dies silently.
 */
public final class NamedThreadFactory implements ThreadFactory {
    private static final Logger LOG = LoggerFactory.getLogger(NamedThreadFactory.class);
    private final String prefix;
    private final boolean daemon;
    private final AtomicInteger next = new AtomicInteger();

    /**
     * @param prefix thread name prefix, e.g. {@code syncer-worker-orders}
     * @param daemon whether threads are daemons (only for helpers that must never hold the JVM)
     */
    public NamedThreadFactory(String prefix, boolean daemon) {
        this.prefix = prefix;
        this.daemon = daemon;
    }

    /** Creates a thread named {@code name} with the logging handler. */
    public static Thread newThread(String name, boolean daemon, Runnable body) {
        Thread t = new OwnedThread(body, name);
        t.setDaemon(daemon);
        t.setUncaughtExceptionHandler((thread, e) ->
                LOG.error("uncaught exception in thread {}", thread.getName(), e));
        return t;
    }

    @Override
    public Thread newThread(Runnable r) {
        return newThread(prefix + "-" + next.getAndIncrement(), daemon, r);
    }

    /** Whether the calling thread is one of syncer's own (not a client's I/O thread or the user's). */
    public static boolean isOwnedThread() {
        return Thread.currentThread() instanceof OwnedThread;
    }

    /**
     * An executor that runs a continuation at once on syncer's own threads and hands it to
     * {@code handOff} on any other thread, so no continuation ever runs on a client's I/O thread.
     */
    public static java.util.concurrent.Executor inlineOnOwnedThreads(java.util.concurrent.Executor handOff) {
        return task -> {
            if (isOwnedThread()) {
                task.run();
            } else {
                handOff.execute(task);
            }
        };
    }

    /** Marks syncer's threads. */
    private static final class OwnedThread extends Thread {
        OwnedThread(Runnable body, String name) {
            super(body, name);
        }
    }
}
