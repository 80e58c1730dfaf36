package io.syncer.internal.share;

import io.syncer.share.ShareGroupConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.ShareConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One share consumer and the thread that owns it: poll at most its share of the queue, hand each partition's
 * records to the handler, acknowledge each record on this thread as its outcome arrives (sending them every
 * {@link ShareGroupConfig#acknowledgeInterval()}), release what is unfinished just before the lock expires, and
 * poll again only when every record of the poll is acknowledged (Kafka's rule in explicit mode).
 */
final class ShareConsumerLoop implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(ShareConsumerLoop.class);

    private final DefaultShareGroupManager manager;
    private final ShareGroupConfig config;
    private final int index;
    private final LinkedBlockingQueue<ShareBatch.Outcome> outcomes = new LinkedBlockingQueue<>();
    private final Set<TopicPartition> partitionsSeen = ConcurrentHashMap.newKeySet();
    private volatile ShareBatch current;
    private volatile long stopDeadlineNanos = Long.MAX_VALUE;
    private volatile ShareConsumer<byte[], byte[]> consumer;
    /** Records renewed whose next delivery no poll has returned yet; owner thread only. */
    private final Set<String> awaitingReturn = new HashSet<>();
    /** The latest delivery of each renewed record still in work (the object to acknowledge); owner thread only. */
    private final Map<String, ConsumerRecord<byte[], byte[]>> latestDelivery = new HashMap<>();
    /** When the previous main poll began (System.nanoTime()), or -1 before the first; owner thread only. */
    private long previousPollStart = -1;

    ShareConsumerLoop(DefaultShareGroupManager manager, int index) {
        this.manager = manager;
        this.config = manager.config0();
        this.index = index;
    }

    Set<TopicPartition> partitionsSeen() {
        return Set.copyOf(partitionsSeen);
    }

    long pendingRecords() {
        ShareBatch b = current;
        return b == null ? 0 : b.pendingCount();
    }

    /** Asks the loop to stop after its current poll's records, by {@code deadlineNanos} at the latest. */
    void stop(long deadlineNanos) {
        stopDeadlineNanos = deadlineNanos;
        ShareConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }

    @Override
    public void run() {
        Map<String, Object> props = new HashMap<>(config.kafkaProperties());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        props.put("share.acknowledgement.mode", "explicit");
        props.put("share.acquire.mode", "record_limit");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.recordsPerPoll());
        props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "syncer-share-" + config.groupId() + "-" + index);
        try (ShareConsumer<byte[], byte[]> c = manager.newConsumer(props)) {
            consumer = c;
            c.setAcknowledgementCommitCallback((offsets, error) -> {
                if (error != null) {
                    int n = offsets.values().stream().mapToInt(Set::size).sum();
                    manager.acknowledgementFailures.add(n);
                    LOG.warn("share group {}: the broker refused {} acknowledgement(s) (a lock expired? those records go to"
                            + " another member): {}", config.groupId(), n, error.toString());
                }
            });
            c.subscribe(config.topics());
            while (!manager.isStopping()) {
                ConsumerRecords<byte[], byte[]> records;
                long pollStart = System.nanoTime();
                try {
                    records = c.poll(config.pollTimeout());
                } catch (WakeupException | InterruptException e) {
                    continue; // stop() woke it: the loop condition decides
                }
                manager.polled();
                if (!records.isEmpty()) {
                    process(c, records, pollStart);
                }
            }
            flush(c);
        } catch (AuthenticationException | AuthorizationException e) {
            manager.fail(e);
        } catch (KafkaException | IllegalStateException e) {
            if (!manager.isStopping()) {
                manager.fail(e);
            } else {
                LOG.warn("share group {}: consumer {} closed with {}", config.groupId(), index, e.toString());
            }
        } finally {
            consumer = null;
            current = null;
        }
    }

    /**
     * One poll: hand its records to the handler and acknowledge every one before returning.
     *
     * <p>The client may fetch in the background as a poll returns (a second fetch in flight right after joining) and
     * hold what it acquired until the next poll, however long the records in work take: those records' locks started
     * when the previous poll began, not when this one returned. Without renewal a batch never outlasts its lock, so
     * nothing is assumed. With renewal, the renewals run from the previous poll's start, and when the first one is
     * due already the poll's records are renewed before any is handed over ({@link #revalidate}): the broker refuses
     * the renewal of a record whose lock ran out (it may be another member's now), and only what it renews is
     * processed. Before, such a record was processed here while another member processed it too.
     */
    private void process(ShareConsumer<byte[], byte[]> c, ConsumerRecords<byte[], byte[]> records, long pollStart) {
        long lockNanos = TimeUnit.MILLISECONDS.toNanos(c.acquisitionLockTimeoutMs().map(Integer::longValue)
                .orElse(config.lockDuration().toMillis()));
        long acquiredAt = System.nanoTime();
        if (config.renewLocks()) {
            long lockStart = previousPollStart >= 0 ? previousPollStart : pollStart;
            previousPollStart = pollStart;
            if (acquiredAt - lockStart >= lockNanos / 2 && !closing(acquiredAt)) {
                long renewStart = System.nanoTime();
                records = revalidate(c, records);
                previousPollStart = renewStart;
                lockStart = renewStart;
            }
            acquiredAt = lockStart;
        }
        List<ConsumerRecord<byte[], byte[]>> fresh = returnedOrFresh(c, records);
        if (fresh.isEmpty()) {
            return;
        }
        ShareBatch batch = new ShareBatch(fresh, acquiredAt + lockNanos - config.lockMargin().toNanos(),
                manager.deliveryCountLimit(), config.renewLocks(), outcomes);
        current = batch;
        dispatch(batch, fresh);
        awaitOutcomes(c, batch, acquiredAt, lockNanos);
        current = null;
    }

    /** Counts newly acquired records and hands them to the handler, one claim per partition. */
    private void dispatch(ShareBatch batch, List<ConsumerRecord<byte[], byte[]>> fresh) {
        manager.acquired.add(fresh.size());
        manager.metrics().shareAcquired(config.groupId(), fresh.size());
        Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> byPartition = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : fresh) {
            manager.delivered(r);
            byPartition.computeIfAbsent(new TopicPartition(r.topic(), r.partition()), tp -> new ArrayList<>()).add(r);
        }
        byPartition.forEach((tp, list) -> {
            partitionsSeen.add(tp);
            try {
                manager.handler().consumeClaim(manager.session(), new ShareClaim(batch, tp, list, manager));
            } catch (Exception e) {
                LOG.error("share group {}: handler failed on {}; its records are released", config.groupId(), tp, e);
                for (ConsumerRecord<byte[], byte[]> r : list) {
                    batch.settle(r, AcknowledgeType.RELEASE);
                }
            }
        });
    }

    /**
     * The records of a poll that are new to this consumer. A renewed record comes back in the renewal's poll as a new
     * object: it is not handed over again, and its outcome goes on that object.
     */
    private List<ConsumerRecord<byte[], byte[]>> returnedOrFresh(ShareConsumer<byte[], byte[]> c,
                                                                 ConsumerRecords<byte[], byte[]> records) {
        List<ConsumerRecord<byte[], byte[]>> fresh = new ArrayList<>(records.count());
        if (LOG.isDebugEnabled()) {
            StringBuilder sb = new StringBuilder();
            for (ConsumerRecord<byte[], byte[]> r : records) {
                sb.append(' ').append(r.offset()).append('/').append(r.deliveryCount().orElse((short) 0));
            }
            LOG.debug("share group {}: consumer {} polled{} (awaiting return {})", config.groupId(), index, sb, awaitingReturn);
        }
        for (ConsumerRecord<byte[], byte[]> r : records) {
            String key = coordinates(r);
            if (!awaitingReturn.remove(key)) {
                fresh.add(r);
                continue;
            }
            latestDelivery.put(key, r); // its outcome (now or later) goes on this delivery
        }
        return fresh;
    }

    private void awaitOutcomes(ShareConsumer<byte[], byte[]> c, ShareBatch batch, long acquiredAt, long lockNanos) {
        long intervalNanos = config.acknowledgeInterval().toNanos();
        long renewEvery = lockNanos / 2;
        long nextRenew = acquiredAt + renewEvery;
        long lastSend = System.nanoTime();
        boolean unsent = false;
        int acknowledged = 0;
        while (true) {
            ShareBatch.Outcome o;
            try {
                o = outcomes.poll(Math.max(1, TimeUnit.NANOSECONDS.toMillis(intervalNanos)), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                o = null;
            }
            while (o != null) {
                acknowledge(c, o);
                acknowledged++;
                unsent = true;
                o = outcomes.poll();
            }
            if (acknowledged >= batch.size()) {
                return; // every record settled and acknowledged: the next poll (or the close) sends the rest
            }
            long now = System.nanoTime();
            if (unsent && now - lastSend >= intervalNanos) {
                c.commitAsync(); // finished records leave the broker's in-flight set now, not at the next poll
                lastSend = now;
                unsent = false;
            }
            boolean closing = closing(now);
            if (batch.renewing && !closing && now - nextRenew >= 0) {
                acknowledged += renew(c, batch);
                nextRenew = System.nanoTime() + renewEvery;
                lastSend = System.nanoTime();
                unsent = false;
            } else if ((!batch.renewing && now - batch.deadlineNanos >= 0) || closing) {
                int n = batch.releaseAll(!closing);
                if (n > 0) {
                    LOG.warn("share group {}: released {} record(s) still in work {} (the broker delivers them again)",
                            config.groupId(), n, closing ? "as the member closes"
                                    : config.lockMargin() + " before their acquisition lock expires");
                }
            }
        }
    }

    /**
     * Renews the locks of a poll's records before they are handed over, and returns what the next poll gives: the
     * records the broker renewed (as new objects) and any it acquired besides. A record it did not renew had a lock
     * that ran out in the client's buffer: it is counted as lapsed and not processed here.
     */
    private ConsumerRecords<byte[], byte[]> revalidate(ShareConsumer<byte[], byte[]> c,
                                                       ConsumerRecords<byte[], byte[]> records) {
        Set<String> asked = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            c.acknowledge(r, AcknowledgeType.RENEW);
            asked.add(coordinates(r));
        }
        ConsumerRecords<byte[], byte[]> back;
        try {
            c.commitSync(config.acknowledgeInterval().multipliedBy(50));
            back = c.poll(config.pollTimeout());
        } catch (WakeupException | InterruptException e) {
            return ConsumerRecords.empty(); // the member closes: what it holds is released by the close
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            LOG.warn("share group {}: consumer {} could not renew the locks of the {} record(s) it polled after a long"
                    + " batch in time ({}); they are processed as they are", config.groupId(), index, records.count(),
                    e.toString());
            return records;
        }
        countRenewals(asked.size());
        for (ConsumerRecord<byte[], byte[]> r : back) {
            asked.remove(coordinates(r));
        }
        if (!asked.isEmpty()) {
            manager.lapsed.add(asked.size());
            LOG.warn("share group {}: consumer {}: {} record(s) its client held back while earlier records were in work"
                    + " had lost their lock (the broker refused to renew it) and are not processed here: another member"
                    + " has them ({})", config.groupId(), index, asked.size(), asked);
        }
        LOG.debug("share group {}: consumer {} renewed {} record(s) polled after a long batch; {} came back",
                config.groupId(), index, records.count(), back.count());
        return back;
    }

    /**
     * Renews the lock of every record still in work, acknowledges what finished, sends both and polls, as Kafka
     * asks (a renewed record comes back in that poll; records the poll acquires besides join the batch).
     *
     * @return outcomes acknowledged here
     */
    private int renew(ShareConsumer<byte[], byte[]> c, ShareBatch batch) {
        List<ConsumerRecord<byte[], byte[]>> inWork = batch.inWork();
        for (ConsumerRecord<byte[], byte[]> r : inWork) {
            acknowledgeAt(c, r, AcknowledgeType.RENEW);
            awaitingReturn.add(coordinates(r));
        }
        LOG.debug("share group {}: consumer {} renews {}", config.groupId(), index, awaitingReturn);
        // a record not in the snapshot had its outcome queued before it: acknowledge those before the commit. A record
        // that finished since the snapshot gets its outcome instead of the RENEW (the client keeps the last type given
        // to an offset before it sends them), so it is no longer awaited back.
        int acknowledged = 0;
        int replaced = 0;
        ShareBatch.Outcome o;
        while ((o = outcomes.poll()) != null) {
            if (awaitingReturn.remove(coordinates(o.record()))) {
                replaced++;
            }
            acknowledge(c, o);
            acknowledged++;
        }
        countRenewals(inWork.size() - replaced);
        try {
            Map<?, ? extends Optional<KafkaException>> result = c.commitSync(config.acknowledgeInterval().multipliedBy(50));
            // The commit has applied the broker's answer, so this poll returns the renewed records and fetches nothing.
            // With no renewal granted it would fetch, and records acquired while this batch is in work would wait in
            // the client's buffer with their locks running: no poll then.
            if (result.values().stream().anyMatch(Optional::isEmpty)) {
                List<ConsumerRecord<byte[], byte[]>> fresh = returnedOrFresh(c, c.poll(config.pollTimeout()));
                if (!fresh.isEmpty()) {
                    batch.add(fresh);
                    dispatch(batch, fresh);
                }
            }
        } catch (WakeupException e) {
            return acknowledged; // the close woke a renewal poll: the loop releases what is in work
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            LOG.warn("share group {}: consumer {} could not send its lock renewals in time: {}", config.groupId(), index,
                    e.toString());
        }
        if (!awaitingReturn.isEmpty()) {
            // not renewed (the broker refused, or the answer did not come): the lock runs out and the broker delivers
            // the record again; its outcome here can no longer be acknowledged and is counted as a failure
            manager.acknowledgementFailures.add(awaitingReturn.size());
            LOG.warn("share group {}: consumer {}: the lock of {} record(s) was not renewed ({}); they will be delivered"
                    + " again", config.groupId(), index, awaitingReturn.size(), awaitingReturn);
            awaitingReturn.forEach(latestDelivery::remove);
            awaitingReturn.clear();
        }
        return acknowledged;
    }

    /** Whether the member is closing: abandoning, or past the deadline its stop gave. */
    private boolean closing(long now) {
        return manager.isAbandoning() || now - stopDeadlineNanos >= 0;
    }

    private void countRenewals(int n) {
        manager.renewed.add(n);
        manager.metrics().shareAcknowledged(config.groupId(), "renew", n);
    }

    private void acknowledge(ShareConsumer<byte[], byte[]> c, ShareBatch.Outcome o) {
        ConsumerRecord<byte[], byte[]> r = o.record();
        if (!acknowledgeAt(c, r, o.type())) {
            return;
        }
        switch (o.type()) {
            case ACCEPT -> manager.accepted.increment();
            case RELEASE -> manager.released.increment();
            case REJECT -> manager.rejected.increment();
            default -> { }
        }
        manager.metrics().shareAcknowledged(config.groupId(), DefaultShareGroupManager.lower(o.type()), 1);
    }

    /**
     * Acknowledges a record on its latest delivery to this consumer: a renewed record comes back as a new object,
     * and the consumer takes acknowledgements for the records of its last poll. {@code false} if refused.
     */
    private boolean acknowledgeAt(ShareConsumer<byte[], byte[]> c, ConsumerRecord<byte[], byte[]> record,
                                  AcknowledgeType type) {
        String key = coordinates(record);
        ConsumerRecord<byte[], byte[]> latest = latestDelivery.getOrDefault(key, record);
        try {
            c.acknowledge(latest, type);
            if (type != AcknowledgeType.RENEW) {
                latestDelivery.remove(key);
            }
            return true;
        } catch (IllegalStateException e) {
            manager.acknowledgementFailures.increment();
            LOG.warn("share group {}: could not acknowledge {} {}: {}", config.groupId(), key, type, e.toString());
            return false;
        }
    }

    private static String coordinates(ConsumerRecord<?, ?> r) {
        return r.topic() + "-" + r.partition() + "@" + r.offset();
    }

    /** Sends what was acknowledged last, before the consumer closes (close also releases what is left). */
    private void flush(ShareConsumer<byte[], byte[]> c) {
        ShareBatch.Outcome pendingOutcome;
        while ((pendingOutcome = outcomes.poll()) != null) {
            acknowledge(c, pendingOutcome);
        }
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                Map<?, ? extends Optional<KafkaException>> result = c.commitSync(config.acknowledgeInterval().multipliedBy(50));
                result.values().forEach(e -> e.ifPresent(x -> manager.acknowledgementFailures.increment()));
                return;
            } catch (WakeupException e) {
                // the close's wakeup, aimed at a poll, landed here: send them again
            } catch (KafkaException | IllegalStateException e) {
                LOG.warn("share group {}: final acknowledgements of consumer {} failed: {}", config.groupId(), index, e.toString());
                return;
            }
        }
    }
}
