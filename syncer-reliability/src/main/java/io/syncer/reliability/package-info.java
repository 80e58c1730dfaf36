/**
 * The reliability suite ({@link io.syncer.reliability.ReliabilitySuite}): fault-injection scenarios on real
 * services, each verified per record in the target by an independent read. See docs/reliability.md.
 */
package io.syncer.reliability;
