package dev.releasetrain.coordinator;

import dev.releasetrain.coordinator.relay.Relay;
import dev.releasetrain.coordinator.relay.RelayConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

/**
 * Runs the relay inside the coordinator: started after Flyway made the release log, stopped at
 * shutdown. With several coordinator instances, one relay is active and the others stand by
 * (the relay's advisory lock); the health check says which.
 */
@ApplicationScoped
@Readiness
public class RelayRunner implements HealthCheck {
    private static final Logger LOG = Logger.getLogger(RelayRunner.class);

    @ConfigProperty(name = "release-train.relay.enabled", defaultValue = "true")
    boolean enabled;
    @ConfigProperty(name = "release-train.relay.poll-interval-ms", defaultValue = "10")
    long pollIntervalMs;
    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String jdbcUrl;
    @ConfigProperty(name = "quarkus.datasource.username", defaultValue = "postgres")
    String user;
    @ConfigProperty(name = "quarkus.datasource.password", defaultValue = "")
    String password;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String kafka;

    private volatile Relay relay;

    void start(@Observes StartupEvent ev) {
        if (!enabled) {
            LOG.info("relay disabled (release-train.relay.enabled=false): another process publishes the release log");
            return;
        }
        RelayConfig base = RelayConfig.fromJdbcUrl(jdbcUrl, user, password, kafka);
        relay = Relay.start(new RelayConfig(base.dbHost(), base.dbPort(), base.database(), base.dbUser(), base.dbPassword(),
                base.kafkaBootstrapServers(), base.slotName(), base.publicationName(), pollIntervalMs,
                base.offsetFlushIntervalMs(), base.offsetStorage()));
    }

    void stop(@Observes ShutdownEvent ev) {
        Relay r = relay;
        if (r != null) {
            r.close();
        }
    }

    @Override
    public HealthCheckResponse call() {
        Relay r = relay;
        String status = r == null ? "disabled" : r.status().name().toLowerCase();
        // Standing by is healthy: another instance publishes.
        return HealthCheckResponse.named("relay").status(r == null || r.status() != Relay.Status.CLOSED)
                .withData("status", status).build();
    }
}
