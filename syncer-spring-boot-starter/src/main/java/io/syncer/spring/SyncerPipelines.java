package io.syncer.spring;

import io.syncer.SyncerException;
import io.syncer.Syncer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The application's pipelines, one per {@code syncer.pipelines.<name>}, tied to the application
 * context's lifecycle: each {@link Syncer} is built when the context is refreshed (so a bad property
 * fails start-up), started when the context is ready (last phase, after every other bean) and closed
 * with a drain within its {@code close-timeout} when the context closes (first in the shutdown, before
 * the beans it uses are destroyed). A SIGTERM closes the context and so drains and commits what was
 * processed.
 *
 * <p>Inject it to reach a pipeline: {@code pipelines.get("access-log").health()}. Thread-safe.
 */
public final class SyncerPipelines implements SmartLifecycle {
    private static final Logger LOG = LoggerFactory.getLogger(SyncerPipelines.class);

    private final Map<String, Syncer> pipelines;
    private final Map<String, Duration> closeTimeouts;
    private final Map<String, Duration> awaitRunning;
    private final boolean autoStartup;
    private volatile boolean running;

    /**
     * @param pipelines the built pipelines by name, in start order
     * @param closeTimeouts each pipeline's close deadline
     * @param awaitRunning how long {@link #start()} waits for each pipeline to join its group (absent: no wait)
     * @param autoStartup whether the context starts them
     */
    public SyncerPipelines(Map<String, Syncer> pipelines, Map<String, Duration> closeTimeouts,
                           Map<String, Duration> awaitRunning, boolean autoStartup) {
        this.pipelines = Collections.unmodifiableMap(new LinkedHashMap<>(pipelines));
        this.closeTimeouts = Map.copyOf(closeTimeouts);
        this.awaitRunning = Map.copyOf(awaitRunning);
        this.autoStartup = autoStartup;
    }

    /**
     * One pipeline.
     *
     * @param name its key under {@code syncer.pipelines}
     * @return the pipeline
     * @throws IllegalArgumentException when there is none of that name
     */
    public Syncer get(String name) {
        Syncer s = pipelines.get(Objects.requireNonNull(name, "name"));
        if (s == null) {
            throw new IllegalArgumentException("no pipeline '" + name + "'; pipelines: " + pipelines.keySet());
        }
        return s;
    }

    /** @return every pipeline by name (unmodifiable) */
    public Map<String, Syncer> all() {
        return pipelines;
    }

    /**
     * Starts every pipeline; with {@code await-running} set, waits for it to join its group and
     * fails the application's start-up with the reason when it does not.
     */
    @Override
    public void start() {
        for (Map.Entry<String, Syncer> e : pipelines.entrySet()) {
            e.getValue().start();
            LOG.info("syncer pipeline '{}' started", e.getKey());
        }
        running = true;
        for (Map.Entry<String, Duration> e : awaitRunning.entrySet()) {
            try {
                pipelines.get(e.getKey()).awaitRunning(e.getValue());
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new SyncerException("interrupted while waiting for pipeline '" + e.getKey() + "' to join", ie);
            } catch (SyncerException se) {
                throw new SyncerException("syncer pipeline '" + e.getKey() + "' is not running after "
                        + e.getValue() + " (syncer.pipelines." + e.getKey() + ".await-running): " + se.getMessage(), se);
            }
        }
    }

    /** Closes every pipeline, last started first, each with a drain within its close timeout. */
    @Override
    public void stop() {
        List<String> names = new ArrayList<>(pipelines.keySet());
        Collections.reverse(names);
        SyncerException first = null;
        for (String name : names) {
            Duration timeout = closeTimeouts.getOrDefault(name, Syncer.DEFAULT_CLOSE_TIMEOUT);
            long started = System.nanoTime();
            try {
                pipelines.get(name).close(timeout);
                LOG.info("syncer pipeline '{}' closed in {} ms", name, (System.nanoTime() - started) / 1_000_000);
            } catch (RuntimeException e) {
                LOG.error("syncer pipeline '{}' closed with a failure", name, e);
                if (first == null) {
                    first = e instanceof SyncerException se ? se : new SyncerException("pipeline '" + name + "'", e);
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        running = false;
        if (first != null) {
            throw first;
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public boolean isAutoStartup() {
        return autoStartup;
    }

    /** @return {@link SmartLifecycle#DEFAULT_PHASE}: started after, and stopped before, other lifecycle beans */
    @Override
    public int getPhase() {
        return DEFAULT_PHASE;
    }

    @Override
    public String toString() {
        return "SyncerPipelines" + pipelines.keySet();
    }
}
