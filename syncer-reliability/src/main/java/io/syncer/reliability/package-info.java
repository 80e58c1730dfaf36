/**
 * The reliability suite ({@link io.syncer.reliability.ReliabilitySuite}): fault-injection scenarios on real
 * services, each verified per record in the target by an independent read: SIGKILLed pipelines
 * ({@link io.syncer.reliability.CrashScenario}), broker restarts, rebalance storms, partition and topic discovery,
 * sink outages, a bad-input corpus ({@link io.syncer.reliability.BadInputScenario}), SASL_SSL and secrets
 * ({@link io.syncer.reliability.SecurityScenario}) and exactly once under faults
 * ({@link io.syncer.reliability.ExactlyOnceScenario}). The pipeline under test is
 * {@link io.syncer.reliability.ChildPipeline}, in a child JVM. See docs/reliability.md.
 */
package io.syncer.reliability;
