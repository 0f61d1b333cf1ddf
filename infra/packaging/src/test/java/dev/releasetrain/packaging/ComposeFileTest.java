package dev.releasetrain.packaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.releasetrain.protocol.Topics;
import dev.releasetrain.sandbox.Sandbox;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Parses infra/compose/compose.yaml and its sandbox override and checks the wiring between the services. */
class ComposeFileTest {
    private static final Map<String, String> APPS = Map.of("coordinator", "coordinator", "git-service", "git",
            "deploy-service", "deploy", "cdn-service", "cdn", "notify-service", "notify");

    private static JsonNode compose;
    private static JsonNode sandboxOverride;

    @BeforeAll
    static void parse() throws IOException {
        Path dir = Sources.root().resolve("infra/compose");
        compose = new YAMLMapper().readTree(dir.resolve("compose.yaml").toFile());
        sandboxOverride = new YAMLMapper().readTree(dir.resolve("compose.sandbox.yaml").toFile());
    }

    @Test
    void kafkaInKraftModePostgresWithLogicalDecodingAndTheFiveApplications() {
        JsonNode services = compose.path("services");
        assertEquals(Set.of("kafka", "kafka-topics", "postgres", "coordinator", "git-service", "deploy-service",
                "cdn-service", "notify-service", "sandbox"), names(services));

        JsonNode kafka = services.path("kafka");
        assertTrue(kafka.path("image").asText().startsWith("apache/kafka:"));
        assertEquals("broker,controller", kafka.at("/environment/KAFKA_PROCESS_ROLES").asText(), "KRaft, no ZooKeeper");
        assertEquals("PLAINTEXT://kafka:9092", kafka.at("/environment/KAFKA_ADVERTISED_LISTENERS").asText());

        List<String> postgresCommand = strings(services.at("/postgres/command"));
        assertTrue(postgresCommand.contains("wal_level=logical"), postgresCommand.toString());
        JsonNode pgEnv = services.at("/postgres/environment");

        for (Map.Entry<String, String> app : APPS.entrySet()) {
            JsonNode service = services.path(app.getKey());
            assertTrue(service.path("image").asText().endsWith("/" + app.getKey() + ":${RELEASE_TRAIN_TAG:-0.1.0-SNAPSHOT}"),
                    service.path("image").asText());
            JsonNode env = service.path("environment");
            assertEquals("kafka:9092", env.path("KAFKA_BOOTSTRAP_SERVERS").asText(), app.getKey() + " reaches the advertised listener");
            assertEquals("service_completed_successfully", service.at("/depends_on/kafka-topics/condition").asText(),
                    app.getKey() + " starts once the topics exist");
            Set<String> known = Sources.properties(app.getValue()).stream().map(Sources::envName).collect(Collectors.toSet());
            env.fieldNames().forEachRemaining(variable -> {
                if (variable.startsWith("RELEASE_TRAIN_")) {
                    assertTrue(known.contains(variable), app.getKey() + " reads no property for " + variable);
                }
            });
            assertTrue(service.path("profiles").isMissingNode(), app.getKey() + " runs without a profile");
        }

        JsonNode coordinator = services.at("/coordinator/environment");
        assertEquals("jdbc:postgresql://postgres:5432/" + pgEnv.path("POSTGRES_DB").asText(),
                coordinator.path("QUARKUS_DATASOURCE_JDBC_URL").asText());
        assertEquals(pgEnv.path("POSTGRES_USER").asText(), coordinator.path("QUARKUS_DATASOURCE_USERNAME").asText());
        assertEquals(pgEnv.path("POSTGRES_PASSWORD").asText(), coordinator.path("QUARKUS_DATASOURCE_PASSWORD").asText());
        assertEquals("service_healthy", services.at("/coordinator/depends_on/postgres/condition").asText());
        assertEquals("8080:8080", services.at("/coordinator/ports/0").asText());
        // secrets are passed from the shell when set, never written in the file
        for (String secret : List.of("/coordinator/environment/RELEASE_TRAIN_AUTH_TOKENS",
                "/git-service/environment/RELEASE_TRAIN_GITHUB_TOKEN", "/notify-service/environment/RELEASE_TRAIN_SLACK_TOKEN",
                "/notify-service/environment/RELEASE_TRAIN_SLACK_COMMUNITY_TOKEN",
                "/deploy-service/environment/RELEASE_TRAIN_PLAYGROUND_API_KEY", "/cdn-service/environment/AWS_SECRET_ACCESS_KEY",
                "/coordinator/environment/RELEASE_TRAIN_PLAN_TOKEN", "/git-service/environment/RELEASE_TRAIN_PLAN_TOKEN",
                "/deploy-service/environment/RELEASE_TRAIN_PLAN_TOKEN", "/cdn-service/environment/RELEASE_TRAIN_PLAN_TOKEN",
                "/notify-service/environment/RELEASE_TRAIN_PLAN_TOKEN")) {
            assertTrue(services.at(secret).isNull(), secret + " is passed through, not set");
        }
        // the coordinator's plans reach each service's POST /plan by its name
        for (String svc : List.of("git", "deploy", "cdn", "notify")) {
            assertEquals("http://" + svc + "-service:8080",
                    coordinator.path("RELEASE_TRAIN_PLAN_SERVICES_" + svc.toUpperCase(java.util.Locale.ROOT)).asText());
        }
    }

    @Test
    void theTopicServiceCreatesEveryTopicOfTheProtocol() {
        String script = String.join(" ", strings(compose.at("/services/kafka-topics/command")));
        Matcher loop = Pattern.compile("for t in ([^;]+);").matcher(script);
        assertTrue(loop.find(), script);
        assertEquals(new TreeSet<>(Topics.all()), new TreeSet<>(List.of(loop.group(1).trim().split("\\s+"))));
        assertTrue(script.contains("--partitions 3"), script);
        assertEquals("false", compose.at("/services/kafka/environment/KAFKA_AUTO_CREATE_TOPICS_ENABLE").asText());
    }

    @Test
    void theSandboxIsAnOptionalServiceTheFourServicesShareTheNetworkOf() throws Exception {
        JsonNode sandbox = compose.at("/services/sandbox");
        assertEquals(List.of("sandbox"), strings(sandbox.path("profiles")));
        String command = String.join(" ", strings(sandbox.path("command")));
        Matcher main = Pattern.compile("dev\\.releasetrain\\.sandbox\\.\\w+").matcher(command);
        assertTrue(main.find(), command);
        assertEquals(Sandbox.class.getName(), main.group());
        assertTrue(Modifier.isStatic(Sandbox.class.getMethod("main", String[].class).getModifiers()));
        assertTrue(strings(sandbox.path("volumes")).contains("sandbox:/sandbox"));

        JsonNode services = sandboxOverride.path("services");
        assertEquals(Set.of("coordinator", "git-service", "deploy-service", "cdn-service", "notify-service"), names(services));
        Set<String> ports = new HashSet<>();
        Map<String, String> planPorts = new HashMap<>();
        services.fields().forEachRemaining(e -> {
            JsonNode s = e.getValue();
            if (e.getKey().equals("coordinator")) {
                return;
            }
            planPorts.put(e.getKey(), s.at("/environment/QUARKUS_HTTP_PORT").asText());
            assertEquals("service:sandbox", s.path("network_mode").asText(), e.getKey());
            assertEquals("service_healthy", s.at("/depends_on/sandbox/condition").asText(), e.getKey());
            assertTrue(strings(s.path("volumes")).contains("sandbox:/sandbox"), e.getKey());
            assertEquals("/sandbox/sandbox.properties", s.at("/environment/QUARKUS_CONFIG_LOCATIONS").asText());
            assertTrue(ports.add(s.at("/environment/QUARKUS_HTTP_PORT").asText()), e.getKey() + " has a port of its own");
        });
        assertFalse(ports.contains("8080"), "the coordinator's port stays free");
        // there the coordinator's plans reach each service on its port in the sandbox's network namespace
        planPorts.forEach((service, port) -> assertEquals("http://sandbox:" + port, services.at("/coordinator/environment/RELEASE_TRAIN_PLAN_SERVICES_"
                + service.replace("-service", "").toUpperCase(java.util.Locale.ROOT)).asText(), service));
        Sandbox.Options defaults = Sandbox.Options.defaults();
        assertEquals(defaults.awsAccessKeyId(), services.at("/cdn-service/environment/AWS_ACCESS_KEY_ID").asText());
        assertEquals(defaults.awsSecretAccessKey(), services.at("/cdn-service/environment/AWS_SECRET_ACCESS_KEY").asText());
        assertEquals(Sandbox.PLAYGROUND_API_KEY, services.at("/deploy-service/environment/RELEASE_TRAIN_PLAYGROUND_API_KEY").asText());
    }

    private static Set<String> names(JsonNode object) {
        Set<String> names = new TreeSet<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static List<String> strings(JsonNode node) {
        List<String> values = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(n -> values.add(n.asText()));
        } else if (!node.isMissingNode()) {
            values.add(node.asText());
        }
        return values;
    }
}
