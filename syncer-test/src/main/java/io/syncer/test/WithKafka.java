package io.syncer.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Shorthand for {@code @ExtendWith(KafkaBrokerExtension.class)}: the annotated test class can take a
 * {@link KafkaBroker} parameter in its constructor, lifecycle methods and test methods.
 *
 * <pre>{@code
 * @WithKafka
 * @Timeout(120)
 * class OrdersIT {
 *     @Test
 *     void consumesOrders(KafkaBroker kafka) {
 *         String topic = KafkaBroker.uniqueName("orders");
 *         kafka.createTopic(topic, 3);
 *         // ...
 *     }
 * }
 * }</pre>
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@ExtendWith(KafkaBrokerExtension.class)
public @interface WithKafka {
}
