package io.syncer.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Shorthand for {@code @ExtendWith(ClsEndpointExtension.class)}: the annotated test class can take a
 * {@link ClsEndpoint} parameter in its {@code @BeforeAll}, {@code @BeforeEach}, {@code @Test} and other methods; one
 * fake CLS endpoint per test class, closed after the class.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@ExtendWith(ClsEndpointExtension.class)
public @interface WithCls {
}
