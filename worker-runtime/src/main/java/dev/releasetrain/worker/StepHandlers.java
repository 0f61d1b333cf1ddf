package dev.releasetrain.worker;

import io.quarkus.arc.InstanceHandle;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The {@link StepHandler}s of this service by step id. Built eagerly at start-up so that two handlers for
 * one step id, or a handler without a step id, stop the service before it consumes anything.
 */
@Startup
@Singleton
public class StepHandlers {
    private static final Logger LOG = Logger.getLogger(StepHandlers.class);

    private final Map<String, StepHandler> byStep;

    @Inject
    StepHandlers(@Any Instance<StepHandler> beans, WorkerIdentity worker) {
        List<Registration> found = new ArrayList<>();
        for (Instance.Handle<StepHandler> handle : beans.handles()) {
            found.add(new Registration(handle.get(), handle.getBean().getBeanClass().getName()));
        }
        this.byStep = index(found);
        if (byStep.isEmpty()) {
            LOG.warnf("%s has no step handlers: every command will be dead-lettered", worker.service());
        } else {
            LOG.infof("%s handles steps %s", worker.service(), byStep.keySet());
        }
    }

    /** For tests and plain Java use. */
    public StepHandlers(List<? extends StepHandler> handlers) {
        List<Registration> found = new ArrayList<>();
        for (StepHandler h : handlers) {
            found.add(new Registration(h, h.getClass().getName()));
        }
        this.byStep = index(found);
    }

    public Optional<StepHandler> forStep(String stepId) {
        return Optional.ofNullable(stepId == null ? null : byStep.get(stepId));
    }

    public Set<String> stepIds() {
        return Collections.unmodifiableSet(new TreeSet<>(byStep.keySet()));
    }

    private record Registration(StepHandler handler, String className) {
    }

    private static Map<String, StepHandler> index(List<Registration> registrations) {
        Map<String, StepHandler> byStep = new TreeMap<>();
        Map<String, String> classOf = new TreeMap<>();
        for (Registration r : registrations) {
            String stepId = r.handler().stepId();
            if (stepId == null || stepId.isBlank()) {
                throw new IllegalStateException("step handler " + r.className() + " declares no step id");
            }
            String earlier = classOf.putIfAbsent(stepId, r.className());
            if (earlier != null) {
                throw new IllegalStateException("two step handlers for step '" + stepId + "': " + earlier
                        + " and " + r.className() + "; each step id must have exactly one handler per service");
            }
            byStep.put(stepId, r.handler());
        }
        return Collections.unmodifiableMap(byStep);
    }
}
