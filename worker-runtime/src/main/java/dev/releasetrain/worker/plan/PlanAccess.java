package dev.releasetrain.worker.plan;

import jakarta.ws.rs.NameBinding;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a service's {@code POST /plan} resource: {@link PlanAccessFilter} answers it only for a request that
 * carries the bearer token {@code release-train.plan.token}.
 */
@NameBinding
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface PlanAccess {
}
