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
        Thread t = new Thread(body, name);
        t.setDaemon(daemon);
        t.setUncaughtExceptionHandler((thread, e) ->
                LOG.error("uncaught exception in thread {}", thread.getName(), e));
        return t;
    }

    @Override
    public Thread newThread(Runnable r) {
        return newThread(prefix + "-" + next.getAndIncrement(), daemon, r);
    }
}
