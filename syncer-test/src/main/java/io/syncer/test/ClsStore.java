package io.syncer.test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a {@link ClsEndpoint} received: the stored logs per topic in arrival order, every request's outcome, and the
 * {@code (topic, contextFlow)} pairs already stored, which make later copies count as duplicates. Thread-safe: one
 * monitor guards everything; readers get copies; {@link #awaitLogCount} waits on the monitor.
 */
final class ClsStore {
    private final Map<String, List<ClsLog>> byTopic = new LinkedHashMap<>();
    private final List<ClsRequest> requests = new ArrayList<>();
    private final Set<String> storedFlows = new HashSet<>();
    private long logCount;
    private long duplicates;

    /** Stores accepted groups; the logs of a group whose non-empty contextFlow was stored before are duplicates. */
    synchronized void store(String topicId, List<ClsProtobuf.LogGroup> groups) {
        List<ClsLog> topicLogs = byTopic.computeIfAbsent(topicId, t -> new ArrayList<>());
        for (ClsProtobuf.LogGroup group : groups) {
            if (!group.contextFlow().isEmpty() && !storedFlows.add(topicId + '\n' + group.contextFlow())) {
                duplicates += group.logs().size();
            }
            topicLogs.addAll(toLogs(topicId, group));
            logCount += group.logs().size();
        }
        notifyAll();
    }

    /** A group's logs as the endpoint shows them. */
    static List<ClsLog> toLogs(String topicId, ClsProtobuf.LogGroup group) {
        List<ClsLog> logs = new ArrayList<>(group.logs().size());
        for (ClsProtobuf.Log log : group.logs()) {
            Map<String, String> contents = new LinkedHashMap<>();
            log.contents().forEach(c -> contents.put(c.key(), c.value()));
            logs.add(new ClsLog(topicId, log.time(), contents, group.contextFlow(), group.source()));
        }
        return logs;
    }

    synchronized void record(ClsRequest request) {
        requests.add(request);
        notifyAll();
    }

    synchronized List<ClsLog> logs(String topicId) {
        return List.copyOf(byTopic.getOrDefault(topicId, List.of()));
    }

    synchronized Map<String, List<ClsLog>> logsByTopic() {
        Map<String, List<ClsLog>> copy = new LinkedHashMap<>();
        byTopic.forEach((topic, logs) -> copy.put(topic, List.copyOf(logs)));
        return Collections.unmodifiableMap(copy);
    }

    synchronized long logCount() {
        return logCount;
    }

    synchronized List<ClsRequest> requests() {
        return List.copyOf(requests);
    }

    synchronized long duplicateLogs() {
        return duplicates;
    }

    synchronized void reset() {
        byTopic.clear();
        requests.clear();
        storedFlows.clear();
        logCount = 0;
        duplicates = 0;
    }

    synchronized boolean awaitLogCount(long atLeast, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (logCount < atLeast) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            long ms = Math.max(1, left / 1_000_000);
            wait(ms);
        }
        return true;
    }
}
