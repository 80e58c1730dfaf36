package io.syncer.test;

import org.apache.kafka.clients.admin.Admin;

/** A cluster that runs outside the test JVM; closing it closes only the shared admin client. Thread-safe. */
final class ExternalKafkaBroker implements KafkaBroker, AutoCloseable {

    private final String bootstrapServers;
    private final BrokerAdmin admin;

    ExternalKafkaBroker(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
        this.admin = new BrokerAdmin(bootstrapServers);
    }

    @Override
    public String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public Admin admin() {
        return admin;
    }

    @Override
    public void close() {
        admin.closeOwned();
    }
}
