package io.syncer.internal.share;

import io.syncer.share.ShareGroupConfig;
import java.util.ArrayList;
import java.util.HashMap;
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
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
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
    private volatile KafkaShareConsumer<byte[], byte[]> consumer;

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
        KafkaShareConsumer<byte[], byte[]> c = consumer;
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
        try (KafkaShareConsumer<byte[], byte[]> c = new KafkaShareConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
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
                try {
                    records = c.poll(config.pollTimeout());
                } catch (WakeupException | InterruptException e) {
                    continue; // stop() woke it: the loop condition decides
                }
                manager.polled();
                if (!records.isEmpty()) {
                    process(c, records);
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

    /** One poll: hand its records to the handler and acknowledge every one before returning. */
    private void process(KafkaShareConsumer<byte[], byte[]> c, ConsumerRecords<byte[], byte[]> records) {
        long lockNanos = TimeUnit.MILLISECONDS.toNanos(c.acquisitionLockTimeoutMs().map(Integer::longValue)
                .orElse(config.lockDuration().toMillis()));
        long marginNanos = config.lockMargin().toNanos();
        long acquiredAt = System.nanoTime();
        List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>(records.count());
        records.forEach(all::add);
        ShareBatch batch = new ShareBatch(all, acquiredAt + lockNanos - marginNanos, marginNanos,
                config.deliveryCountLimit(), outcomes);
        current = batch;
        manager.acquired.add(all.size());
        manager.metrics().shareAcquired(config.groupId(), all.size());
        for (ConsumerRecord<byte[], byte[]> r : all) {
            manager.delivered(r);
        }
        for (TopicPartition tp : records.partitions()) {
            partitionsSeen.add(tp);
            try {
                manager.handler().consumeClaim(manager.session(), new ShareClaim(batch, tp, records.records(tp), manager));
            } catch (Exception e) {
                LOG.error("share group {}: handler failed on {}; its records are released", config.groupId(), tp, e);
                for (ConsumerRecord<byte[], byte[]> r : records.records(tp)) {
                    batch.settle(r, AcknowledgeType.RELEASE);
                }
            }
        }
        awaitOutcomes(c, batch);
        current = null;
    }

    private void awaitOutcomes(KafkaShareConsumer<byte[], byte[]> c, ShareBatch batch) {
        long intervalNanos = config.acknowledgeInterval().toNanos();
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
            if (acknowledged >= batch.size) {
                return; // every record settled and acknowledged: the next poll (or the close) sends the rest
            }
            long now = System.nanoTime();
            if (unsent && now - lastSend >= intervalNanos) {
                c.commitAsync(); // finished records leave the broker's in-flight set now, not at the next poll
                lastSend = now;
                unsent = false;
            }
            if (now - batch.deadlineNanos >= 0 || manager.isAbandoning() || now - stopDeadlineNanos >= 0) {
                int n = batch.releaseAll();
                if (n > 0) {
                    LOG.warn("share group {}: released {} record(s) still in work {} (the broker delivers them again)",
                            config.groupId(), n, now - batch.deadlineNanos >= 0
                                    ? config.lockMargin() + " before their acquisition lock expires" : "as the member closes");
                }
            }
        }
    }

    private void acknowledge(KafkaShareConsumer<byte[], byte[]> c, ShareBatch.Outcome o) {
        try {
            c.acknowledge(o.record(), o.type());
        } catch (IllegalStateException e) {
            manager.acknowledgementFailures.increment();
            LOG.warn("share group {}: could not acknowledge {}-{}@{}: {}", config.groupId(), o.record().topic(),
                    o.record().partition(), o.record().offset(), e.toString());
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

    /** Sends what was acknowledged last, before the consumer closes (close also releases what is left). */
    private void flush(KafkaShareConsumer<byte[], byte[]> c) {
        ShareBatch.Outcome o;
        while ((o = outcomes.poll()) != null) {
            acknowledge(c, o);
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
