package dev.releasetrain.coordinator.relay;

import dev.releasetrain.coordinator.log.AppendListener;
import dev.releasetrain.protocol.Envelope;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * Runs the relay inside the coordinator: started after Flyway made the release log, stopped at
 * shutdown. With several coordinator instances, one relay is active and the others stand by
 * (the relay's advisory lock); the health check says which. Listens to the release log's appends
 * for the fast path; told first of the listeners, so the services get the events as early as they can.
 */
@ApplicationScoped
@Priority(RelayRunner.LISTENER_PRIORITY)
public class RelayRunner implements AppendListener {
    /** The listeners' order: the fast path before anything else that watches the log. */
    static final int LISTENER_PRIORITY = 100;
    private static final Logger LOG = Logger.getLogger(RelayRunner.class);

    @ConfigProperty(name = "release-train.relay.enabled", defaultValue = "true")
    boolean enabled;
    @ConfigProperty(name = "release-train.relay.poll-interval-ms", defaultValue = "1000")
    long pollIntervalMs;
    @ConfigProperty(name = "release-train.relay.fast-path", defaultValue = "true")
    boolean fastPath;
    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String jdbcUrl;
    @ConfigProperty(name = "quarkus.datasource.username", defaultValue = "postgres")
    String user;
    @ConfigProperty(name = "quarkus.datasource.password", defaultValue = "")
    String password;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String kafka;
    /** The application's {@code kafka.*} configuration (Quarkus's, also from {@code KAFKA_*} variables): its security settings. */
    @jakarta.inject.Inject
    @io.smallrye.common.annotation.Identifier("default-kafka-broker")
    java.util.Map<String, Object> kafkaConfig;

    @Inject
    AgroalDataSource dataSource;
    @Inject
    MeterRegistry registry;

    private volatile Relay relay;

    void start(@Observes StartupEvent ev) {
        if (!enabled) {
            LOG.info("relay disabled (release-train.relay.enabled=false): another process publishes the release log");
            return;
        }
        RelayConfig base = RelayConfig.fromJdbcUrl(jdbcUrl, user, password, kafka).withKafkaSettings(kafkaConfig);
        relay = Relay.start(base.withPollIntervalMs(pollIntervalMs));
        relay.fastPath(fastPath);
        Gauge.builder("release_train_relay_wal_behind_bytes", this, r -> r.walBehind(base.slotName()))
                .description("WAL bytes written since the relay's replication slot last confirmed a position")
                .register(registry);
    }

    private static final String WAL_BEHIND = "select pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)"
            + " from pg_replication_slots where slot_name = ?";

    /** NaN while the slot does not exist yet or the database cannot be read: a scrape never fails on it. */
    private double walBehind(String slot) {
        try (Connection c = dataSource.getConnection(); PreparedStatement q = c.prepareStatement(WAL_BEHIND)) {
            q.setString(1, slot);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next() && rs.getObject(1) != null ? rs.getDouble(1) : Double.NaN;
            }
        } catch (SQLException e) {
            LOG.debugf("WAL behind the relay's slot %s: %s", slot, e.getMessage());
            return Double.NaN;
        }
    }

    /**
     * Called right after a commit to the release log: publishes the events at once when this
     * instance's relay is active and the release's earlier events are out (see Relay#publishCommitted);
     * otherwise the relay publishes them when it reads them from the WAL.
     */
    @Override
    public void appended(String releaseId, List<Envelope> appended) {
        Relay r = relay;
        if (r != null) {
            try {
                r.publishCommitted(releaseId, appended);
            } catch (RuntimeException e) {
                LOG.debugf("release %s: fast publish failed (%s); the relay publishes from the log", releaseId, e);
            }
        }
    }

    void stop(@Observes ShutdownEvent ev) {
        Relay r = relay;
        if (r != null) {
            r.close();
        }
    }

    /** The relay's status, or "disabled". */
    public String status() {
        Relay r = relay;
        return r == null ? "disabled" : r.status().name().toLowerCase();
    }

    /** Healthy unless the relay was closed: standing by is healthy, another instance publishes. */
    public boolean healthy() {
        Relay r = relay;
        return r == null || r.status() != Relay.Status.CLOSED;
    }

    /** Readiness: {@code relay} with its status (active, standby, starting, disabled). */
    @ApplicationScoped
    @Readiness
    public static class Health implements HealthCheck {
        @jakarta.inject.Inject
        RelayRunner runner;

        @Override
        public HealthCheckResponse call() {
            return HealthCheckResponse.named("relay").status(runner.healthy()).withData("status", runner.status()).build();
        }
    }
}
