package io.syncer.spring;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Everything under {@code syncer.} in {@code application.yml}: the shared cluster address, the
 * {@code KafkaProducers} bean and one pipeline per {@code syncer.pipelines.<name>}.
 *
 * <p>These classes only carry what was written: a setting left out stays {@code null} and the
 * syncer builder's own default applies, and every value goes through the same validating builder
 * setter as code does ({@code ConsumerGroupConfig.Builder}, {@code QueueWorkerConfig.Builder},
 * {@code RetryPolicy.Builder}, {@code KafkaProducersConfig.Builder}), so a file and code fail the
 * same way. Unknown keys fail start-up too.
 *
 * <pre>{@code
 * syncer:
 *   bootstrap-servers: localhost:9092
 *   pipelines:
 *     access-log:
 *       item-type: com.example.AccessLog     # JSON-decoded; or decoder: <a RecordDecoder bean>
 *       sinks: [aiSink, botSink]             # Sink beans by bean name
 *       router: accessLogRouter              # a Router bean; default: every sink
 *       consumer:
 *         group-id: access-log
 *         topics: [access-log]
 *       worker:
 *         workers: 8
 *         dead-letter-topic: access-log-dlt
 * }</pre>
 */
@ConfigurationProperties(prefix = "syncer", ignoreUnknownFields = false)
public class SyncerProperties {
    /** Default {@link #isAutoStartup()}: pipelines start when the context is ready. */
    public static final boolean DEFAULT_AUTO_STARTUP = true;

    /**
     * Kafka bootstrap servers of every pipeline's consumer and of the producers, unless they set
     * their own.
     */
    private String bootstrapServers;

    /** Whether the pipelines start when the application context is ready (default true). */
    private boolean autoStartup = DEFAULT_AUTO_STARTUP;

    /**
     * Kafka client properties given to every consumer and producer (security.protocol, sasl.*,
     * ssl.*), before their own.
     */
    private Map<String, String> kafka = new LinkedHashMap<>();

    /** The KafkaProducers bean (the Kafka sinks' and the dead-letter writer's producer). */
    private Producer producer = new Producer();

    /** The pipelines, by name. */
    private Map<String, Pipeline> pipelines = new LinkedHashMap<>();

    /** @return the shared bootstrap servers, or {@code null} */
    public String getBootstrapServers() {
        return bootstrapServers;
    }

    /** @param bootstrapServers the shared bootstrap servers */
    public void setBootstrapServers(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
    }

    /** @return whether pipelines start with the context */
    public boolean isAutoStartup() {
        return autoStartup;
    }

    /** @param autoStartup whether pipelines start with the context */
    public void setAutoStartup(boolean autoStartup) {
        this.autoStartup = autoStartup;
    }

    /** @return Kafka client properties shared by every client */
    public Map<String, String> getKafka() {
        return kafka;
    }

    /** @param kafka Kafka client properties shared by every client */
    public void setKafka(Map<String, String> kafka) {
        this.kafka = kafka;
    }

    /** @return the producer settings */
    public Producer getProducer() {
        return producer;
    }

    /** @param producer the producer settings */
    public void setProducer(Producer producer) {
        this.producer = producer;
    }

    /** @return the pipelines by name */
    public Map<String, Pipeline> getPipelines() {
        return pipelines;
    }

    /** @param pipelines the pipelines by name */
    public void setPipelines(Map<String, Pipeline> pipelines) {
        this.pipelines = pipelines;
    }

    /** {@code syncer.producer.*}: the {@code KafkaProducers} bean, unless the application defines one. */
    public static class Producer {
        /** Bootstrap servers of the producer; default syncer.bootstrap-servers. */
        private String bootstrapServers;

        /** Upper bound from send to acknowledgement (delivery.timeout.ms); default 2 min. */
        private Duration deliveryTimeout;

        /** Kafka producer properties, e.g. linger.ms, compression.type. */
        private Map<String, String> kafka = new LinkedHashMap<>();

        /** @return the producer's bootstrap servers, or {@code null} */
        public String getBootstrapServers() {
            return bootstrapServers;
        }

        /** @param bootstrapServers the producer's bootstrap servers */
        public void setBootstrapServers(String bootstrapServers) {
            this.bootstrapServers = bootstrapServers;
        }

        /** @return the delivery timeout, or {@code null} for the default */
        public Duration getDeliveryTimeout() {
            return deliveryTimeout;
        }

        /** @param deliveryTimeout the delivery timeout */
        public void setDeliveryTimeout(Duration deliveryTimeout) {
            this.deliveryTimeout = deliveryTimeout;
        }

        /** @return Kafka producer properties */
        public Map<String, String> getKafka() {
            return kafka;
        }

        /** @param kafka Kafka producer properties */
        public void setKafka(Map<String, String> kafka) {
            this.kafka = kafka;
        }
    }

    /** {@code syncer.pipelines.<name>.*}: one {@code Syncer}. */
    public static class Pipeline {
        /** Whether this pipeline is built at all (default true). */
        private boolean enabled = true;

        /** Bean name of the RecordDecoder that turns each record into the item; or set item-type. */
        private String decoder;

        /** Class of the item, decoded from each record's JSON value with Jackson; or set decoder. */
        private Class<?> itemType;

        /** Bean names of the Sink beans this pipeline writes to; default every Sink bean when there is one pipeline. */
        private List<String> sinks = new ArrayList<>();

        /** Bean name of the Router that sends each item to its sinks; default every sink. */
        private String router;

        /** What happens to an item the router sends nowhere: dead-letter (default) or drop. */
        private String unrouted;

        /** Deadline of the drain-close on shutdown; default 30 s (keep it below spring.lifecycle.timeout-per-shutdown-phase). */
        private Duration closeTimeout;

        /** When set, start-up waits this long for the consumer to join its group and fails with the reason if it does not. */
        private Duration awaitRunning;

        /** The consumer group: ConsumerGroupConfig. */
        private Consumer consumer = new Consumer();

        /** The queue workers, retries and dead letters: QueueWorkerConfig. */
        private Worker worker = new Worker();

        /** Instead of consumer: a Kafka share group (Kafka 4.2+), ShareGroupConfig; needs worker.ordering unordered and a dead-letter topic. */
        private ShareGroup shareGroup = new ShareGroup();

        /** @return whether the pipeline is built */
        public boolean isEnabled() {
            return enabled;
        }

        /** @param enabled whether the pipeline is built */
        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        /** @return the decoder bean name, or {@code null} */
        public String getDecoder() {
            return decoder;
        }

        /** @param decoder the decoder bean name */
        public void setDecoder(String decoder) {
            this.decoder = decoder;
        }

        /** @return the JSON item class, or {@code null} */
        public Class<?> getItemType() {
            return itemType;
        }

        /** @param itemType the JSON item class */
        public void setItemType(Class<?> itemType) {
            this.itemType = itemType;
        }

        /** @return the sink bean names */
        public List<String> getSinks() {
            return sinks;
        }

        /** @param sinks the sink bean names */
        public void setSinks(List<String> sinks) {
            this.sinks = sinks;
        }

        /** @return the router bean name, or {@code null} */
        public String getRouter() {
            return router;
        }

        /** @param router the router bean name */
        public void setRouter(String router) {
            this.router = router;
        }

        /** @return the unrouted policy name, or {@code null} */
        public String getUnrouted() {
            return unrouted;
        }

        /** @param unrouted dead-letter or drop */
        public void setUnrouted(String unrouted) {
            this.unrouted = unrouted;
        }

        /** @return the close deadline, or {@code null} for the default */
        public Duration getCloseTimeout() {
            return closeTimeout;
        }

        /** @param closeTimeout the close deadline */
        public void setCloseTimeout(Duration closeTimeout) {
            this.closeTimeout = closeTimeout;
        }

        /** @return how long start-up waits for the group, or {@code null} not to wait */
        public Duration getAwaitRunning() {
            return awaitRunning;
        }

        /** @param awaitRunning how long start-up waits for the group */
        public void setAwaitRunning(Duration awaitRunning) {
            this.awaitRunning = awaitRunning;
        }

        /** @return the consumer settings */
        public Consumer getConsumer() {
            return consumer;
        }

        /** @param consumer the consumer settings */
        public void setConsumer(Consumer consumer) {
            this.consumer = consumer;
        }

        /** @return the worker settings */
        public Worker getWorker() {
            return worker;
        }

        /** @param worker the worker settings */
        public void setWorker(Worker worker) {
            this.worker = worker;
        }

        /** @return the share-group settings */
        public ShareGroup getShareGroup() {
            return shareGroup;
        }

        /** @param shareGroup the share-group settings */
        public void setShareGroup(ShareGroup shareGroup) {
            this.shareGroup = shareGroup;
        }
    }

    /** {@code syncer.pipelines.<name>.share-group.*}: a share group instead of a consumer group, onto {@code ShareGroupConfig.Builder}. */
    public static class ShareGroup {
        /** The share group id; setting it runs the pipeline on a share group. */
        private String groupId;

        /** Topics to consume. */
        private List<String> topics = new ArrayList<>();

        /** Bootstrap servers of the share consumers; default syncer.bootstrap-servers. */
        private String bootstrapServers;

        /** Share consumers in this instance, each on its own thread; default 2. */
        private Integer consumers;

        /** Records acquired and not yet acknowledged, at most, for the instance; default 1,000. */
        private Integer maxQueuedRecords;

        /** Where a new share group starts: earliest (default) or latest. */
        private String initialPosition;

        /** How long one poll waits; default 100 ms. */
        private Duration pollTimeout;

        /** How often finished records' acknowledgements are sent while the rest of their poll is in work; default 100 ms. */
        private Duration acknowledgeInterval;

        /** Safety margin before a record's lock expires (retries in process must end before it); default 5 s. */
        private Duration lockMargin;

        /** The acquisition lock assumed until the broker reports the group's; default 30 s. */
        private Duration lockDuration;

        /** The group's group.share.delivery.count.limit; default 5 (the group's own value is read at start). */
        private Integer deliveryCountLimit;

        /** Whether the locks of records still in work are renewed every half lock (enabled on the group at start); default false. */
        private Boolean renewLocks;

        /** Kafka share-consumer properties, passed through. */
        private Map<String, String> kafka = new LinkedHashMap<>();

        /** @return the share group id, or {@code null} */
        public String getGroupId() {
            return groupId;
        }

        /** @param groupId the share group id */
        public void setGroupId(String groupId) {
            this.groupId = groupId;
        }

        /** @return the topics */
        public List<String> getTopics() {
            return topics;
        }

        /** @param topics the topics */
        public void setTopics(List<String> topics) {
            this.topics = topics;
        }

        /** @return the bootstrap servers, or {@code null} */
        public String getBootstrapServers() {
            return bootstrapServers;
        }

        /** @param bootstrapServers the bootstrap servers */
        public void setBootstrapServers(String bootstrapServers) {
            this.bootstrapServers = bootstrapServers;
        }

        /** @return the consumer count, or {@code null} */
        public Integer getConsumers() {
            return consumers;
        }

        /** @param consumers the consumer count */
        public void setConsumers(Integer consumers) {
            this.consumers = consumers;
        }

        /** @return the queue bound, or {@code null} */
        public Integer getMaxQueuedRecords() {
            return maxQueuedRecords;
        }

        /** @param maxQueuedRecords the queue bound */
        public void setMaxQueuedRecords(Integer maxQueuedRecords) {
            this.maxQueuedRecords = maxQueuedRecords;
        }

        /** @return the initial position, or {@code null} */
        public String getInitialPosition() {
            return initialPosition;
        }

        /** @param initialPosition earliest or latest */
        public void setInitialPosition(String initialPosition) {
            this.initialPosition = initialPosition;
        }

        /** @return the poll timeout, or {@code null} */
        public Duration getPollTimeout() {
            return pollTimeout;
        }

        /** @param pollTimeout the poll timeout */
        public void setPollTimeout(Duration pollTimeout) {
            this.pollTimeout = pollTimeout;
        }

        /** @return the acknowledgement interval, or {@code null} */
        public Duration getAcknowledgeInterval() {
            return acknowledgeInterval;
        }

        /** @param acknowledgeInterval the acknowledgement interval */
        public void setAcknowledgeInterval(Duration acknowledgeInterval) {
            this.acknowledgeInterval = acknowledgeInterval;
        }

        /** @return the lock margin, or {@code null} */
        public Duration getLockMargin() {
            return lockMargin;
        }

        /** @param lockMargin the lock margin */
        public void setLockMargin(Duration lockMargin) {
            this.lockMargin = lockMargin;
        }

        /** @return the assumed lock duration, or {@code null} */
        public Duration getLockDuration() {
            return lockDuration;
        }

        /** @param lockDuration the assumed lock duration */
        public void setLockDuration(Duration lockDuration) {
            this.lockDuration = lockDuration;
        }

        /** @return the delivery count limit, or {@code null} */
        public Integer getDeliveryCountLimit() {
            return deliveryCountLimit;
        }

        /** @param deliveryCountLimit the delivery count limit */
        public void setDeliveryCountLimit(Integer deliveryCountLimit) {
            this.deliveryCountLimit = deliveryCountLimit;
        }

        /** @return whether locks are renewed, or {@code null} */
        public Boolean getRenewLocks() {
            return renewLocks;
        }

        /** @param renewLocks whether locks are renewed */
        public void setRenewLocks(Boolean renewLocks) {
            this.renewLocks = renewLocks;
        }

        /** @return Kafka share-consumer properties */
        public Map<String, String> getKafka() {
            return kafka;
        }

        /** @param kafka Kafka share-consumer properties */
        public void setKafka(Map<String, String> kafka) {
            this.kafka = kafka;
        }
    }

    /** {@code syncer.pipelines.<name>.consumer.*}: the consumer group, onto {@code ConsumerGroupConfig.Builder}. */
    public static class Consumer {
        /** The consumer group id. Required. */
        private String groupId;

        /** Topics to consume; or set topic-pattern. */
        private List<String> topics = new ArrayList<>();

        /** A regular expression of topics to consume, new matching topics included; or set topics. */
        private String topicPattern;

        /** Bootstrap servers of this consumer; default syncer.bootstrap-servers. */
        private String bootstrapServers;

        /** Where a partition without a committed offset starts: earliest (default) or latest. */
        private String initialPosition;

        /** What an out-of-range offset does: fail (default: the partition fails closed), earliest, latest or by-duration:1h. */
        private String offsetResetPolicy;

        /** at_least_once (default) or at_most_once. */
        private String commitMode;

        /** How often processed offsets are committed; default 1 s. */
        private Duration commitInterval;

        /** Deadline of one commit; default 10 s. */
        private Duration commitTimeout;

        /** Kafka poll timeout; default 100 ms. */
        private Duration pollTimeout;

        /** metadata.max.age.ms: how soon new partitions and topics are seen; default 5 s. */
        private Duration metadataMaxAge;

        /** How long a revoke waits for its partitions' records to finish; default 10 s. */
        private Duration revokeTimeout;

        /** A lagging partition whose committed offset has not moved this long is reported stalled; default 60 s. */
        private Duration stallTimeout;

        /** After this long without joining the group, health turns DEGRADED with the reason; default 30 s. */
        private Duration joinTimeout;

        /** Whether the MDC carries syncer.group/topic/partition/offset around user code; default false. */
        private Boolean logContext;

        /** Bound on records taken from Kafka and not yet processed; default 10,000. */
        private Integer maxQueuedRecords;

        /** Bound on the heap those records take, in bytes; default 64 MiB. */
        private Long maxQueuedBytes;

        /** Kafka consumer properties, passed through (max.poll.records, group.protocol, ...). */
        private Map<String, String> kafka = new LinkedHashMap<>();

        /** @return the group id */
        public String getGroupId() {
            return groupId;
        }

        /** @param groupId the group id */
        public void setGroupId(String groupId) {
            this.groupId = groupId;
        }

        /** @return the topics */
        public List<String> getTopics() {
            return topics;
        }

        /** @param topics the topics */
        public void setTopics(List<String> topics) {
            this.topics = topics;
        }

        /** @return the topic pattern, or {@code null} */
        public String getTopicPattern() {
            return topicPattern;
        }

        /** @param topicPattern the topic pattern */
        public void setTopicPattern(String topicPattern) {
            this.topicPattern = topicPattern;
        }

        /** @return the consumer's bootstrap servers, or {@code null} */
        public String getBootstrapServers() {
            return bootstrapServers;
        }

        /** @param bootstrapServers the consumer's bootstrap servers */
        public void setBootstrapServers(String bootstrapServers) {
            this.bootstrapServers = bootstrapServers;
        }

        /** @return the initial position, or {@code null} */
        public String getInitialPosition() {
            return initialPosition;
        }

        /** @param initialPosition earliest or latest */
        public void setInitialPosition(String initialPosition) {
            this.initialPosition = initialPosition;
        }

        /** @return the offset reset policy, or {@code null} */
        public String getOffsetResetPolicy() {
            return offsetResetPolicy;
        }

        /** @param offsetResetPolicy fail, earliest, latest or by-duration:&lt;d&gt; */
        public void setOffsetResetPolicy(String offsetResetPolicy) {
            this.offsetResetPolicy = offsetResetPolicy;
        }

        /** @return the commit mode, or {@code null} */
        public String getCommitMode() {
            return commitMode;
        }

        /** @param commitMode at_least_once or at_most_once */
        public void setCommitMode(String commitMode) {
            this.commitMode = commitMode;
        }

        /** @return the commit interval, or {@code null} */
        public Duration getCommitInterval() {
            return commitInterval;
        }

        /** @param commitInterval the commit interval */
        public void setCommitInterval(Duration commitInterval) {
            this.commitInterval = commitInterval;
        }

        /** @return the commit timeout, or {@code null} */
        public Duration getCommitTimeout() {
            return commitTimeout;
        }

        /** @param commitTimeout the commit timeout */
        public void setCommitTimeout(Duration commitTimeout) {
            this.commitTimeout = commitTimeout;
        }

        /** @return the poll timeout, or {@code null} */
        public Duration getPollTimeout() {
            return pollTimeout;
        }

        /** @param pollTimeout the poll timeout */
        public void setPollTimeout(Duration pollTimeout) {
            this.pollTimeout = pollTimeout;
        }

        /** @return the metadata max age, or {@code null} */
        public Duration getMetadataMaxAge() {
            return metadataMaxAge;
        }

        /** @param metadataMaxAge the metadata max age */
        public void setMetadataMaxAge(Duration metadataMaxAge) {
            this.metadataMaxAge = metadataMaxAge;
        }

        /** @return the revoke timeout, or {@code null} */
        public Duration getRevokeTimeout() {
            return revokeTimeout;
        }

        /** @param revokeTimeout the revoke timeout */
        public void setRevokeTimeout(Duration revokeTimeout) {
            this.revokeTimeout = revokeTimeout;
        }

        /** @return the stall timeout, or {@code null} */
        public Duration getStallTimeout() {
            return stallTimeout;
        }

        /** @param stallTimeout the stall timeout */
        public void setStallTimeout(Duration stallTimeout) {
            this.stallTimeout = stallTimeout;
        }

        /** @return the join timeout, or {@code null} */
        public Duration getJoinTimeout() {
            return joinTimeout;
        }

        /** @param joinTimeout the join timeout */
        public void setJoinTimeout(Duration joinTimeout) {
            this.joinTimeout = joinTimeout;
        }

        /** @return whether the MDC log context is on, or {@code null} */
        public Boolean getLogContext() {
            return logContext;
        }

        /** @param logContext whether the MDC log context is on */
        public void setLogContext(Boolean logContext) {
            this.logContext = logContext;
        }

        /** @return the queued-records bound, or {@code null} */
        public Integer getMaxQueuedRecords() {
            return maxQueuedRecords;
        }

        /** @param maxQueuedRecords the queued-records bound */
        public void setMaxQueuedRecords(Integer maxQueuedRecords) {
            this.maxQueuedRecords = maxQueuedRecords;
        }

        /** @return the queued-bytes bound, or {@code null} */
        public Long getMaxQueuedBytes() {
            return maxQueuedBytes;
        }

        /** @param maxQueuedBytes the queued-bytes bound */
        public void setMaxQueuedBytes(Long maxQueuedBytes) {
            this.maxQueuedBytes = maxQueuedBytes;
        }

        /** @return Kafka consumer properties */
        public Map<String, String> getKafka() {
            return kafka;
        }

        /** @param kafka Kafka consumer properties */
        public void setKafka(Map<String, String> kafka) {
            this.kafka = kafka;
        }
    }

    /** {@code syncer.pipelines.<name>.worker.*}: onto {@code QueueWorkerConfig.Builder}. */
    public static class Worker {
        /** Worker threads; default 4. */
        private Integer workers;

        /** Bound on items processing at once; default 256 (raised to the consumer's max-queued-records in a pipeline). */
        private Integer maxInFlight;

        /** key (default: one key at a time, in offset order), partition or unordered. */
        private String ordering;

        /** Retries of a failed item: RetryPolicy. */
        private Retry retry = new Retry();

        /** Topic that records which exhausted their retries go to, with the reason in syncer.dlt.* headers; default none: the partition halts. */
        private String deadLetterTopic;

        /** @return the worker count, or {@code null} */
        public Integer getWorkers() {
            return workers;
        }

        /** @param workers the worker count */
        public void setWorkers(Integer workers) {
            this.workers = workers;
        }

        /** @return the in-flight bound, or {@code null} */
        public Integer getMaxInFlight() {
            return maxInFlight;
        }

        /** @param maxInFlight the in-flight bound */
        public void setMaxInFlight(Integer maxInFlight) {
            this.maxInFlight = maxInFlight;
        }

        /** @return the ordering, or {@code null} */
        public String getOrdering() {
            return ordering;
        }

        /** @param ordering key, partition or unordered */
        public void setOrdering(String ordering) {
            this.ordering = ordering;
        }

        /** @return the retry settings */
        public Retry getRetry() {
            return retry;
        }

        /** @param retry the retry settings */
        public void setRetry(Retry retry) {
            this.retry = retry;
        }

        /** @return the dead-letter topic, or {@code null} */
        public String getDeadLetterTopic() {
            return deadLetterTopic;
        }

        /** @param deadLetterTopic the dead-letter topic */
        public void setDeadLetterTopic(String deadLetterTopic) {
            this.deadLetterTopic = deadLetterTopic;
        }
    }

    /** {@code syncer.pipelines.<name>.worker.retry.*}: onto {@code RetryPolicy.Builder}. */
    public static class Retry {
        /** Attempts in all, the first included; default 10. */
        private Integer maxAttempts;

        /** No retry starts after this long since the first attempt; default 5 min. */
        private Duration maxElapsed;

        /** Backoff before the first retry; default 100 ms. */
        private Duration initialBackoff;

        /** Upper bound of the exponential backoff; default 10 s. */
        private Duration maxBackoff;

        /** @return the attempt bound, or {@code null} */
        public Integer getMaxAttempts() {
            return maxAttempts;
        }

        /** @param maxAttempts the attempt bound */
        public void setMaxAttempts(Integer maxAttempts) {
            this.maxAttempts = maxAttempts;
        }

        /** @return the elapsed bound, or {@code null} */
        public Duration getMaxElapsed() {
            return maxElapsed;
        }

        /** @param maxElapsed the elapsed bound */
        public void setMaxElapsed(Duration maxElapsed) {
            this.maxElapsed = maxElapsed;
        }

        /** @return the first backoff, or {@code null} */
        public Duration getInitialBackoff() {
            return initialBackoff;
        }

        /** @param initialBackoff the first backoff */
        public void setInitialBackoff(Duration initialBackoff) {
            this.initialBackoff = initialBackoff;
        }

        /** @return the backoff bound, or {@code null} */
        public Duration getMaxBackoff() {
            return maxBackoff;
        }

        /** @param maxBackoff the backoff bound */
        public void setMaxBackoff(Duration maxBackoff) {
            this.maxBackoff = maxBackoff;
        }
    }
}
