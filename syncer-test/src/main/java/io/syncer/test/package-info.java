/**
 * Test kit for syncer and its users: real Kafka brokers for integration tests, and local fakes of the services
 * sinks write to.
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
 * </ul>
 */
package io.syncer.test;
