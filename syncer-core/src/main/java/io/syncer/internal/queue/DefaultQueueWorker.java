package io.syncer.internal.queue;

import io.syncer.consume.DrainMode;
import io.syncer.consume.GroupSession;
import io.syncer.consume.PartitionClaim;
import io.syncer.internal.util.NamedThreadFactory;
import io.syncer.queue.AsyncConsumeWorker;
import io.syncer.queue.OrderingMode;
import io.syncer.queue.QueueWorker;
import io.syncer.queue.QueueWorkerConfig;
import io.syncer.queue.QueueWorkerStats;
import io.syncer.queue.RecordDecoder;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link QueueWorker} implementation: a keyed scheduler drained by N worker threads.
 *
 * <p>Design. Items are grouped into <i>shards</i> by ordering key ((partition, record key) in KEY
 * mode, the partition in PARTITION mode, one shard per item in UNORDERED mode). A shard runs at most
 * one item at a time, in arrival order. Invariant: a shard is in {@code ready} iff it is not busy
 * and has items. A worker takes the first ready shard, runs its head item, and on completion puts
 * the shard back if it has more. A failed item keeps its shard busy during the backoff (so its key
 * waits) but frees its worker and in-flight slot (so other keys do not). Every operation is O(1)
 * except purging revoked partitions, which is O(queued) and happens only on rebalance.
 *
 * <p>Concurrency. One lock guards the shards, the ready queue and the counters. User code (decoder,
 * worker) runs outside the lock, through {@link #execute}, the single choke point that catches
 * everything it throws. Completions may arrive on any thread (the stage's).
 */
public final class DefaultQueueWorker<T> implements QueueWorker<T> {
    private static final Logger LOG = LoggerFactory.getLogger(DefaultQueueWorker.class);

    private final QueueWorkerConfig config;
    private final RecordDecoder<T> decoder;
    private final AsyncConsumeWorker<T> worker;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition workAvailable = lock.newCondition();
    private final Condition itemFinished = lock.newCondition();
    private final ArrayDeque<Shard> ready = new ArrayDeque<>();
    private final Map<Object, Shard> shards = new HashMap<>();
    private final Map<TopicPartition, int[]> runningByPartition = new HashMap<>();
    private long queued;
    private long waitingRetry;
    private int inFlight;
    private boolean started;
    private boolean stopping;
    private Thread[] threads = new Thread[0];
    private ScheduledExecutorService retryTimer;

    private final LongAdder processed = new LongAdder();
    private final LongAdder failedAttempts = new LongAdder();

    public DefaultQueueWorker(QueueWorkerConfig config, RecordDecoder<T> decoder, AsyncConsumeWorker<T> worker) {
        this.config = config;
        this.decoder = decoder;
        this.worker = worker;
    }

    @Override
    public QueueWorkerConfig config() {
        return config;
    }

    @Override
    public QueueWorkerStats stats() {
        lock.lock();
        try {
            return new QueueWorkerStats(queued + waitingRetry, inFlight, processed.sum(), failedAttempts.sum());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void setup(GroupSession session) {
        lock.lock();
        try {
            if (started || stopping) {
                return;
            }
            started = true;
            String prefix = "syncer-worker-" + config.name();
            threads = new Thread[config.workers()];
            for (int i = 0; i < threads.length; i++) {
                int workerId = i;
                threads[i] = NamedThreadFactory.newThread(prefix + "-" + i, false, () -> workLoop(workerId));
            }
            retryTimer = Executors.newSingleThreadScheduledExecutor(
                    new NamedThreadFactory("syncer-retry-" + config.name(), true));
            for (Thread t : threads) {
                t.start();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void consumeClaim(GroupSession session, PartitionClaim claim) {
        if (!started) {
            setup(session);
        }
        TopicPartition tp = claim.topicPartition();
        lock.lock();
        try {
            if (stopping) {
                return; // never marked processed: re-delivered to the next owner
            }
            for (ConsumerRecord<byte[], byte[]> record : claim.records()) {
                Item item = new Item(record, claim, tp);
                Shard shard;
                if (config.ordering() == OrderingMode.UNORDERED) {
                    shard = new Shard(null);
                } else {
                    Object key = config.ordering() == OrderingMode.PARTITION ? tp : new KeyShard(tp, record.key());
                    shard = shards.computeIfAbsent(key, Shard::new);
                }
                shard.items.addLast(item);
                if (!shard.busy && shard.items.size() == 1) {
                    ready.addLast(shard);
                }
                queued++;
            }
            workAvailable.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void cleanup(GroupSession session) {
        Set<TopicPartition> revoked = session.revokedPartitions();
        if (revoked.isEmpty()) {
            return;
        }
        long deadline = System.nanoTime() + session.revokeTimeout().toNanos();
        lock.lock();
        try {
            int dropped = purge(revoked);
            while (running(revoked) > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    LOG.warn("queue {}: {} records of revoked partitions still in flight after {}; "
                            + "their completions will be ignored and they will be re-delivered",
                            config.name(), running(revoked), session.revokeTimeout());
                    break;
                }
                itemFinished.awaitNanos(left);
            }
            LOG.debug("queue {}: revoked {}, dropped {} queued records", config.name(), revoked, dropped);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close(Duration timeout, DrainMode mode) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            stopping = true;
            ready.clear();
            shards.clear();
            queued = 0;
            workAvailable.signalAll();
        } finally {
            lock.unlock();
        }
        if (mode == DrainMode.ABANDON) {
            for (Thread t : threads) {
                t.interrupt();
            }
        }
        boolean interrupted = false;
        for (Thread t : threads) {
            try {
                long left = deadline - System.nanoTime();
                if (left > 0) {
                    TimeUnit.NANOSECONDS.timedJoin(t, left);
                }
                if (t.isAlive()) {
                    LOG.warn("worker thread {} still busy at the close deadline; interrupting it", t.getName());
                    t.interrupt();
                    t.join(1000);
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (retryTimer != null) {
            retryTimer.shutdownNow();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void workLoop(int workerId) {
        while (true) {
            Item item;
            lock.lock();
            try {
                while (!stopping && (ready.isEmpty() || inFlight >= config.maxInFlight())) {
                    workAvailable.await();
                }
                if (stopping) {
                    return;
                }
                Shard shard = ready.pollFirst();
                item = shard.items.pollFirst();
                shard.busy = true;
                item.shard = shard;
                queued--;
                inFlight++;
                runningByPartition.computeIfAbsent(item.tp, k -> new int[1])[0]++;
            } catch (InterruptedException e) {
                return; // only close interrupts workers
            } finally {
                lock.unlock();
            }
            execute(workerId, item);
        }
    }

    /** The choke point for user code: everything the decoder or worker throws is caught here. */
    private void execute(int workerId, Item item) {
        if (item.claim.isRevoked()) {
            finish(item, false);
            return;
        }
        CompletionStage<?> stage;
        try {
            stage = worker.consume(workerId, decoder.decode(item.record));
        } catch (Throwable t) {
            if (t instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            fail(item, t);
            return;
        }
        if (stage == null) {
            succeed(item);
        } else {
            stage.whenComplete((ignored, error) -> {
                if (error == null) {
                    succeed(item);
                } else {
                    fail(item, unwrap(error));
                }
            });
        }
    }

    private void succeed(Item item) {
        item.claim.markProcessed(item.record);
        processed.increment();
        finish(item, false);
    }

    private void fail(Item item, Throwable error) {
        failedAttempts.increment();
        item.attempts++;
        boolean retry;
        lock.lock();
        try {
            retry = !stopping && !item.claim.isRevoked();
        } finally {
            lock.unlock();
        }
        if (!retry) {
            finish(item, false);
            return;
        }
        long delayMs = backoffMillis(item.attempts);
        LOG.warn("queue {}: attempt {} for {}-{}@{} failed, retrying in {} ms: {}", config.name(), item.attempts,
                item.record.topic(), item.record.partition(), item.record.offset(), delayMs, error.toString());
        finish(item, true);
        try {
            retryTimer.schedule(() -> requeue(item), delayMs, TimeUnit.MILLISECONDS);
        } catch (RuntimeException rejected) {
            requeue(item); // timer shut down by close: requeue drops it
        }
    }

    /** Releases the item's worker slot; the shard stays busy if the item will be retried. */
    private void finish(Item item, boolean retrying) {
        lock.lock();
        try {
            inFlight--;
            int[] running = runningByPartition.get(item.tp);
            if (running != null && --running[0] == 0) {
                runningByPartition.remove(item.tp);
            }
            if (retrying) {
                waitingRetry++;
            } else {
                release(item.shard);
            }
            workAvailable.signal();
            itemFinished.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void requeue(Item item) {
        lock.lock();
        try {
            waitingRetry--;
            if (stopping || item.claim.isRevoked()) {
                release(item.shard);
                return;
            }
            item.shard.items.addFirst(item);
            item.shard.busy = false;
            ready.addFirst(item.shard);
            queued++;
            workAvailable.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Marks a shard idle: back to ready if it has items, forgotten otherwise. Lock held. */
    private void release(Shard shard) {
        shard.busy = false;
        if (stopping) {
            return;
        }
        if (!shard.items.isEmpty()) {
            ready.addLast(shard);
        } else if (shard.key != null) {
            shards.remove(shard.key, shard);
        }
    }

    /** Drops queued items of {@code revoked}; lock held. */
    private int purge(Set<TopicPartition> revoked) {
        int dropped = 0;
        for (Shard shard : ready) {
            if (shard.key == null) {
                dropped += removeRevoked(shard, revoked);
            }
        }
        for (Shard shard : shards.values()) {
            dropped += removeRevoked(shard, revoked);
        }
        ready.removeIf(s -> s.items.isEmpty());
        Iterator<Shard> it = shards.values().iterator();
        while (it.hasNext()) {
            Shard s = it.next();
            if (!s.busy && s.items.isEmpty()) {
                it.remove();
            }
        }
        queued -= dropped;
        return dropped;
    }

    private static int removeRevoked(Shard shard, Set<TopicPartition> revoked) {
        int before = shard.items.size();
        shard.items.removeIf(i -> revoked.contains(i.tp));
        return before - shard.items.size();
    }

    private int running(Set<TopicPartition> partitions) {
        int n = 0;
        for (TopicPartition tp : partitions) {
            int[] r = runningByPartition.get(tp);
            n += r == null ? 0 : r[0];
        }
        return n;
    }

    private long backoffMillis(int attempts) {
        long base = config.retryBackoff().toMillis();
        long max = config.maxRetryBackoff().toMillis();
        long delay = base << Math.min(attempts - 1, 30);
        if (delay <= 0 || delay > max) {
            delay = max;
        }
        double jitter = 0.8 + 0.4 * ThreadLocalRandom.current().nextDouble();
        return Math.max(1, (long) (delay * jitter));
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static final class Item {
        final ConsumerRecord<byte[], byte[]> record;
        final PartitionClaim claim;
        final TopicPartition tp;
        Shard shard;
        int attempts;

        Item(ConsumerRecord<byte[], byte[]> record, PartitionClaim claim, TopicPartition tp) {
            this.record = record;
            this.claim = claim;
            this.tp = tp;
        }
    }

    private static final class Shard {
        final Object key;
        final ArrayDeque<Item> items = new ArrayDeque<>(4);
        boolean busy;

        Shard(Object key) {
            this.key = key;
        }
    }

    /** Ordering key of KEY mode: the partition and the record key's bytes ({@code null} allowed). */
    private static final class KeyShard {
        final TopicPartition tp;
        final ByteBuffer key;
        final int hash;

        KeyShard(TopicPartition tp, byte[] key) {
            this.tp = tp;
            this.key = key == null ? null : ByteBuffer.wrap(key);
            this.hash = 31 * tp.hashCode() + Objects.hashCode(this.key);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof KeyShard && ((KeyShard) o).tp.equals(tp) && Objects.equals(((KeyShard) o).key, key);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
