package dev.releasetrain.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import dev.releasetrain.cli.ReleaseClient;
import dev.releasetrain.protocol.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A release on a Kafka broker and a PostgreSQL server in containers (Testcontainers), instead of the embedded ones:
 * the stack reads their addresses as it reads any external Kafka and database ({@code LocalInfra}), so this is the
 * path of a real deployment's infrastructure, with the sandbox's stand-ins for the external systems. Run by the
 * profile {@code containers} only; without a Docker engine it is skipped, saying so.
 */
@ExtendWith(ContainersIT.DockerEngine.class) // first: prints why the class is skipped
@Testcontainers(disabledWithoutDocker = true)
class ContainersIT {
    /** The images Compose runs too (infra/compose/compose.yaml). */
    static final String KAFKA_IMAGE = "apache/kafka:4.1.2";
    static final String POSTGRES_IMAGE = "postgres:17";

    @Container
    static final KafkaContainer KAFKA = new KafkaContainer(KAFKA_IMAGE);

    /**
     * The relay reads the WAL over a replication connection from the host, which the image's pg_hba.conf allows
     * only from inside the container: the init script lets the test's user replicate from anywhere, with a password.
     */
    @Container
    static final PostgreSQLContainer POSTGRES = new PostgreSQLContainer(POSTGRES_IMAGE)
            .withDatabaseName("releasetrain")
            .withCommand("postgres", "-c", "wal_level=logical", "-c", "max_replication_slots=4", "-c", "max_wal_senders=4")
            .withCopyToContainer(Transferable.of("echo 'host replication all all scram-sha-256' >> \"$PGDATA/pg_hba.conf\"\n"),
                    "/docker-entrypoint-initdb.d/replication.sh");

    private static final List<String> PROPERTIES = List.of("kafka.bootstrap.servers", "quarkus.datasource.jdbc.url",
            "quarkus.datasource.username", "quarkus.datasource.password");
    private static Stack stack;
    private static ReleaseClient api;

    @BeforeAll
    static void startTheStackOnTheContainers() throws Exception {
        // what LocalInfra reads: the stack then starts no broker and no database of its own
        System.setProperty("kafka.bootstrap.servers", KAFKA.getBootstrapServers());
        System.setProperty("quarkus.datasource.jdbc.url", POSTGRES.getJdbcUrl());
        System.setProperty("quarkus.datasource.username", POSTGRES.getUsername());
        System.setProperty("quarkus.datasource.password", POSTGRES.getPassword());
        stack = Stack.start(System.out::println, "proving");
        api = new ReleaseClient(stack.coordinatorUrl(), "alice", stack.apiToken("alice"));
    }

    @AfterAll
    static void stopTheStack() {
        try {
            if (stack != null) {
                stack.close();
            }
        } finally {
            PROPERTIES.forEach(System::clearProperty);
        }
    }

    @Test
    void aReleaseCompletesOnTheContainersKafkaAndPostgres() throws Exception {
        assertTrue(stack.infra().embeddedKafka().isEmpty() && stack.infra().localPostgres().isEmpty(),
                "the stack started no broker or database of its own");

        ReleaseClient.Answer started = api.post("/releases", ReleaseFlowIT.START_PROVING);
        assertEquals(202, started.status(), started.message());
        String version = started.body().path("version").asText();
        JsonNode release = await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200))
                .until(() -> api.get("/releases/" + version).body(), r -> r != null
                        && List.of("completed", "failed").contains(r.path("status").asText()));
        assertEquals("completed", release.path("status").asText(), () -> release + "\n" + stack.logTail("coordinator", 40));

        List<String> steps = new ArrayList<>();
        api.get("/releases/" + version + "/timeline").body().path("steps").forEach(s -> steps.add(s.path("step").asText()));
        assertEquals(ReleaseFlowIT.PROVING, steps);
        assertEquals(1, stack.sandbox().slackMessages("#releases").stream().filter(m -> m.text().contains(version)).count());

        // the world: the release log is in the container's database, read by the relay through its replication slot,
        // and the topics the services worked from are the container broker's
        try (Connection db = DriverManager.getConnection(POSTGRES.getJdbcUrl(), POSTGRES.getUsername(), POSTGRES.getPassword())) {
            assertTrue(count(db, "select count(*) from release_events where release_id = '" + version + "'") >= 2 * steps.size() + 2,
                    "ReleaseStarted, a request and a result per step, ReleaseCompleted");
            assertEquals(1, count(db, "select count(*) from pg_replication_slots where plugin = 'pgoutput' and active"));
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.getBootstrapServers()))) {
            assertTrue(admin.listTopics().names().get(30, TimeUnit.SECONDS).containsAll(new TreeSet<>(Topics.all())));
        }
    }

    private static long count(Connection db, String sql) throws SQLException {
        try (ResultSet rs = db.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Skips the class where Testcontainers finds no Docker engine, and prints why (Maven's summary would not). */
    static final class DockerEngine implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            if (DockerClientFactory.instance().isDockerAvailable()) {
                return ConditionEvaluationResult.enabled("a Docker engine is available");
            }
            String reason = "ContainersIT skipped: Testcontainers finds no Docker engine (DOCKER_HOST, /var/run/docker.sock, "
                    + "~/.testcontainers.properties); the embedded stack's tests cover the same flow without one";
            System.out.println(reason);
            return ConditionEvaluationResult.disabled(reason);
        }
    }
}
