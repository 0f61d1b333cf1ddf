package dev.releasetrain.coordinator.metrics;

import dev.releasetrain.coordinator.log.ReleaseLog;
import dev.releasetrain.protocol.EventTypes;
import dev.releasetrain.protocol.ReleaseEvent;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Releases by status, read from the release log when Prometheus scrapes, at most once per {@link #STATUS_TTL_MS}.
 * If the log cannot be read the gauge answers NaN rather than failing the scrape. (The relay, the results consumer
 * and the live streams register their own gauges.)
 */
@ApplicationScoped
public class ReleaseGauges {
    private static final Logger LOG = Logger.getLogger(ReleaseGauges.class);
    static final long STATUS_TTL_MS = 2_000;
    /** The events that open, halt, reopen and end a release; the latest of them is its status. */
    private static final Map<String, String> STATUS_OF = new LinkedHashMap<>();

    static {
        STATUS_OF.put(EventTypes.typeOf(ReleaseEvent.ReleaseStarted.class), "running");
        STATUS_OF.put(EventTypes.typeOf(ReleaseEvent.StepRetryRequested.class), "running");
        STATUS_OF.put(EventTypes.typeOf(ReleaseEvent.ReleaseFailed.class), "failed");
        STATUS_OF.put(EventTypes.typeOf(ReleaseEvent.ReleaseCompleted.class), "completed");
        STATUS_OF.put(EventTypes.typeOf(ReleaseEvent.ReleaseCancelled.class), "cancelled");
    }

    @Inject
    MeterRegistry registry;
    @Inject
    ReleaseLog log;

    private volatile Map<String, Long> byStatus = Map.of();
    private volatile long byStatusReadAt;

    void register(@Observes StartupEvent ev) {
        for (String status : List.of("running", "failed", "completed", "cancelled")) {
            Gauge.builder("release_train_releases", this, g -> g.releases(status))
                    .description("Releases by status, from the release log").tag("status", status).register(registry);
        }
    }

    private double releases(String status) {
        long now = System.currentTimeMillis();
        if (now - byStatusReadAt > STATUS_TTL_MS) {
            try {
                Map<String, Long> latest = log.latestOfTypes(List.copyOf(STATUS_OF.keySet()));
                Map<String, Long> counts = new LinkedHashMap<>();
                latest.forEach((type, n) -> counts.merge(STATUS_OF.get(type), n, Long::sum));
                byStatus = counts;
                byStatusReadAt = now;
            } catch (RuntimeException e) {
                LOG.debugf("releases by status: %s", e.getMessage());
                return Double.NaN;
            }
        }
        return byStatus.getOrDefault(status, 0L);
    }
}
