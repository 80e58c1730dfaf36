package io.syncer.sink.cls;

import io.syncer.sink.Route;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Which CLS topic each tenant's logs go to: a map from tenant id (e.g. the access log's
 * {@code appid}) to topic id that the application may change while the pipeline runs, when tenants
 * are added or their topics move. A router uses it:
 *
 * <pre>{@code
 * ClsResources tenants = ClsResources.of(Map.of("1250000001", "0e69453c-..."));
 * router((log, record) -> List.of(tenants.route("cls", log.appid)))
 * }</pre>
 *
 * <p>Thread-safe: reads see one whole version of the map; {@link #replaceAll} swaps it atomically.
 * A record already routed keeps the topic it was given.
 */
public final class ClsResources {
    private volatile Map<String, String> topics;

    private ClsResources(Map<String, String> topics) {
        this.topics = validated(topics);
    }

    /**
     * A map of tenants to topics.
     *
     * @param topicByTenant tenant id to CLS topic id; neither blank
     * @return the resources
     */
    public static ClsResources of(Map<String, String> topicByTenant) {
        return new ClsResources(topicByTenant);
    }

    /**
     * The tenant's topic.
     *
     * @param tenant the tenant id
     * @return its topic id
     * @throws UnknownTenantException when the tenant has none (fatal for the record)
     */
    public String topicFor(String tenant) {
        String topic = tenant == null ? null : topics.get(tenant);
        if (topic == null) {
            throw new UnknownTenantException(tenant);
        }
        return topic;
    }

    /**
     * The tenant's topic, if it has one.
     *
     * @param tenant the tenant id
     * @return its topic id, or empty
     */
    public Optional<String> find(String tenant) {
        return Optional.ofNullable(tenant == null ? null : topics.get(tenant));
    }

    /**
     * A route to the tenant's topic in the sink named {@code sink}.
     *
     * @param sink the CLS sink's name
     * @param tenant the tenant id
     * @return the route
     * @throws UnknownTenantException when the tenant has no topic
     */
    public Route route(String sink, String tenant) {
        return Route.to(sink, topicFor(tenant));
    }

    /**
     * Replaces the whole map at once (e.g. after reloading it from a configuration service).
     *
     * @param topicByTenant the new map
     */
    public synchronized void replaceAll(Map<String, String> topicByTenant) {
        this.topics = validated(topicByTenant);
    }

    /**
     * Adds or moves one tenant.
     *
     * @param tenant the tenant id
     * @param topicId its topic id
     */
    public synchronized void put(String tenant, String topicId) {
        Map<String, String> next = new LinkedHashMap<>(topics);
        next.put(tenant, topicId);
        this.topics = validated(next);
    }

    /**
     * Removes a tenant: its later records fail with {@link UnknownTenantException}.
     *
     * @param tenant the tenant id
     */
    public synchronized void remove(String tenant) {
        Map<String, String> next = new LinkedHashMap<>(topics);
        next.remove(tenant);
        this.topics = Map.copyOf(next);
    }

    /** @return the current map, immutable */
    public Map<String, String> snapshot() {
        return topics;
    }

    @Override
    public String toString() {
        return "ClsResources{" + topics.size() + " tenants}";
    }

    private static Map<String, String> validated(Map<String, String> topicByTenant) {
        Objects.requireNonNull(topicByTenant, "topicByTenant");
        topicByTenant.forEach((tenant, topic) -> {
            if (tenant == null || tenant.isBlank() || topic == null || topic.isBlank()) {
                throw new IllegalArgumentException("tenant and topic ids must not be blank: " + tenant + " -> " + topic);
            }
        });
        return Map.copyOf(topicByTenant);
    }
}
