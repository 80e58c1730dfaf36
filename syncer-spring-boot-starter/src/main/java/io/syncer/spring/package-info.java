/**
 * Spring Boot auto-configuration for syncer: pipelines from {@code application.yml}
 * ({@link io.syncer.spring.SyncerProperties}), their lifecycle ({@link io.syncer.spring.SyncerPipelines})
 * and Actuator health ({@link io.syncer.spring.SyncerHealthIndicator}).
 */
package io.syncer.spring;
