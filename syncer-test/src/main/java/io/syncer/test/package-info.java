/**
 * Test kit for syncer and its users: real Kafka brokers, a real OpenSearch node and ClickHouse server, and a local
 * CLS endpoint, for integration tests. Each fixture is a plain {@code AutoCloseable} that also works outside JUnit
 * ({@code try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {...}}); the {@code @With*} annotations
 * share one per test JVM in JUnit 5. The kit logs through SLF4J and brings no binding, and brings
 * {@code junit-jupiter-api} but no JUnit engine: the user's build supplies both.
 *
 * <ul>
 *   <li>{@link io.syncer.test.KafkaBroker}: what a test needs from a broker (bootstrap servers, a shared
 *       {@code Admin}, topic creation, client properties, unique names).</li>
 *   <li>{@link io.syncer.test.KafkaBrokerExtension} and {@link io.syncer.test.WithKafka}: one broker per test
 *       JVM, injected into JUnit 5 tests; an external cluster can replace it.</li>
 *   <li>{@link io.syncer.test.EmbeddedKafkaBroker}: an in-process single-node KRaft broker.</li>
 *   <li>{@link io.syncer.test.ChildProcessKafkaBroker}: a broker in a child JVM that a test can kill, stop and
 *       restart on the same ports and data.</li>
 *   <li>{@link io.syncer.test.ClsEndpoint}: a fake of Tencent Cloud CLS's upload endpoint that checks signatures,
 *       decodes and stores logs and can be scripted to fail, stall or drop requests; {@link io.syncer.test.WithCls}
 *       and {@link io.syncer.test.ClsEndpointExtension} give each test class one.</li>
 *   <li>{@link io.syncer.test.OpenSearchNode}: a real single-node OpenSearch server in a child process, from the
 *       {@code integ-test-zip} distribution the build unpacks or the local Maven repository holds; it can stop and
 *       restart on the same port and data. {@link io.syncer.test.WithOpenSearch} shares one per test JVM.</li>
 *   <li>{@link io.syncer.test.ClickHouseServer}: a real ClickHouse server (Debian's {@code clickhouse-server}) in a
 *       child process that a test can stop and restart on the same ports and data, or a handle on an external
 *       server, with raw-HTTP helpers to read back what a sink wrote; {@link io.syncer.test.WithClickHouse} and
 *       {@link io.syncer.test.ClickHouseExtension} share one per test JVM.</li>
 *   <li>{@link io.syncer.test.ChdbServer}: the modern ClickHouse 26.x engine (npm {@code chdb}) behind a test-only
 *       HTTP front that <strong>emulates</strong> ClickHouse's HTTP protocol, for DateTime64, LowCardinality and
 *       insert deduplication tokens; {@link io.syncer.test.WithChdb} and {@link io.syncer.test.ChdbExtension} share
 *       one per test JVM.</li>
 *   <li>{@link io.syncer.test.ContainerSettings}: asks for container-backed fixtures instead (Testcontainers, an
 *       optional dependency): {@code SYNCER_TESTCONTAINERS=all} (or {@code kafka,opensearch,clickhouse}) makes the
 *       extensions start {@link io.syncer.test.ContainerKafkaBroker}, {@link io.syncer.test.OpenSearchNode#startContainer()}
 *       and {@link io.syncer.test.ClickHouseServer#startContainer()}; without a Docker engine they fail, never skip.
 *       Off by default.</li>
 * </ul>
 */
package io.syncer.test;
