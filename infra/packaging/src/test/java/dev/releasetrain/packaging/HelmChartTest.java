package dev.releasetrain.packaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import dev.releasetrain.protocol.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Renders infra/helm/release-train with Helm's own template engine (helm-java) and checks the objects. */
class HelmChartTest {
    private static final List<String> COMPONENTS = List.of("coordinator", "git", "deploy", "cdn", "notify");
    private static final String PREFIX = "rt-release-train-";

    private static List<JsonNode> defaults;
    private static List<JsonNode> production;

    @BeforeAll
    static void render() throws IOException {
        Path chart = Sources.root().resolve("infra/helm/release-train");
        defaults = parse(new Helm(chart).template().withName("rt").withNamespace("release-train").call());
        production = parse(new Helm(chart).template().withName("rt").withNamespace("release-train")
                .withValuesFile(chart.resolve("values-production.yaml")).call());
    }

    @Test
    void theDefaultsRenderFiveDeploymentsWithTheirConfigAndDisruptionBudgets() {
        Map<String, Integer> kinds = new TreeMap<>();
        defaults.forEach(o -> kinds.merge(o.path("kind").asText(), 1, Integer::sum));
        assertEquals(Map.of("ConfigMap", 6, "Deployment", 5, "PodDisruptionBudget", 5, "Service", 5,
                "ServiceAccount", 2), kinds, "no KafkaTopic, no RoleBinding unless asked");

        for (String component : COMPONENTS) {
            JsonNode deployment = object(defaults, "Deployment", PREFIX + component);
            assertEquals(component.equals("coordinator") ? 1 : 2, deployment.at("/spec/replicas").asInt(), component);
            JsonNode container = deployment.at("/spec/template/spec/containers/0");
            assertEquals("docker.io/release-train/" + Sources.module(component) + ":0.1.0-SNAPSHOT",
                    container.path("image").asText());
            assertEquals("/q/health/live", container.at("/livenessProbe/httpGet/path").asText(), component);
            assertEquals("/q/health/ready", container.at("/readinessProbe/httpGet/path").asText(), component);
            assertEquals("http", container.at("/readinessProbe/httpGet/port").asText());
            assertEquals(8080, container.at("/ports/0/containerPort").asInt());
            assertFalse(container.at("/resources/requests/memory").asText().isEmpty(), component + " requests memory");
            assertFalse(container.at("/resources/limits/memory").asText().isEmpty(), component + " has a memory limit");
            assertEquals(PREFIX + component, container.at("/envFrom/0/configMapRef/name").asText());
            assertKafkaSettingsMounted(defaults, deployment);

            JsonNode labels = deployment.at("/spec/template/metadata/labels");
            deployment.at("/spec/selector/matchLabels").fields().forEachRemaining(e ->
                    assertEquals(e.getValue(), labels.path(e.getKey()), "the pods carry the selector's labels"));
            JsonNode pdb = object(defaults, "PodDisruptionBudget", PREFIX + component);
            assertEquals(deployment.at("/spec/selector/matchLabels"), pdb.at("/spec/selector/matchLabels"));
            assertEquals(1, pdb.at("/spec/maxUnavailable").asInt());

            JsonNode config = object(defaults, "ConfigMap", PREFIX + component).path("data");
            assertEquals("kafka:9092", config.path("KAFKA_BOOTSTRAP_SERVERS").asText());
        }
        assertEquals("jdbc:postgresql://postgres:5432/releasetrain",
                object(defaults, "ConfigMap", PREFIX + "coordinator").at("/data/QUARKUS_DATASOURCE_JDBC_URL").asText());
        assertEquals("http://rt-release-train-coordinator:80",
                object(defaults, "ConfigMap", PREFIX + "notify").at("/data/RELEASE_TRAIN_NOTIFY_COORDINATOR_URL").asText());
        JsonNode service = object(defaults, "Service", PREFIX + "coordinator");
        assertEquals("coordinator", service.at("/spec/selector/app.kubernetes.io~1component").asText());
        // the coordinator's plans ask each service through its Service
        for (String svc : List.of("git", "deploy", "cdn", "notify")) {
            assertEquals("http://rt-release-train-" + svc + ":8080", object(defaults, "ConfigMap", PREFIX + "coordinator")
                    .at("/data/RELEASE_TRAIN_PLAN_SERVICES_" + svc.toUpperCase(java.util.Locale.ROOT)).asText());
            assertEquals(svc, object(defaults, "Service", PREFIX + svc).at("/spec/selector/app.kubernetes.io~1component").asText());
        }
    }

    @Test
    void everySecretComesFromAnExistingSecretUnderTheNameTheApplicationReads() {
        // every component has the internal token of release plans (the coordinator sends it, the services check it)
        String plan = "release-train-plan-token/token";
        assertEquals(Map.of(
                        "QUARKUS_DATASOURCE_USERNAME", "release-train-db/username",
                        "QUARKUS_DATASOURCE_PASSWORD", "release-train-db/password",
                        "RELEASE_TRAIN_AUTH_TOKENS", "release-train-api-tokens/tokens",
                        "RELEASE_TRAIN_PLAN_TOKEN", plan),
                secretRefs(object(defaults, "Deployment", PREFIX + "coordinator")));
        assertEquals(Map.of("RELEASE_TRAIN_GITHUB_TOKEN", "release-train-github/token", "RELEASE_TRAIN_PLAN_TOKEN", plan),
                secretRefs(object(defaults, "Deployment", PREFIX + "git")));
        assertEquals(Map.of("RELEASE_TRAIN_PLAYGROUND_API_KEY", "release-train-playground/api-key", "RELEASE_TRAIN_PLAN_TOKEN", plan),
                secretRefs(object(defaults, "Deployment", PREFIX + "deploy")));
        assertEquals(Map.of("RELEASE_TRAIN_PLAN_TOKEN", plan), secretRefs(object(defaults, "Deployment", PREFIX + "cdn")),
                "AWS: the default credential chain unless a Secret is named");
        assertEquals(Map.of(
                        "RELEASE_TRAIN_GITHUB_TOKEN", "release-train-github/token",
                        "RELEASE_TRAIN_SLACK_TOKEN", "release-train-slack/team-token",
                        "RELEASE_TRAIN_SLACK_COMMUNITY_TOKEN", "release-train-slack/community-token",
                        "RELEASE_TRAIN_PLAN_TOKEN", plan),
                secretRefs(object(defaults, "Deployment", PREFIX + "notify")));

        // each RELEASE_TRAIN_* variable, secret or config, is a property its application reads
        for (List<JsonNode> rendered : List.of(defaults, production)) {
            for (String component : COMPONENTS) {
                Set<String> known = Sources.properties(component).stream().map(Sources::envName)
                        .collect(Collectors.toSet());
                Set<String> variables = new TreeSet<>(secretRefs(workload(rendered, component)).keySet());
                object(rendered, "ConfigMap", PREFIX + component).path("data").fieldNames().forEachRemaining(variables::add);
                for (String variable : variables) {
                    if (variable.startsWith("RELEASE_TRAIN_")) {
                        assertTrue(known.contains(variable), component + " reads no property for " + variable);
                    }
                }
            }
        }
    }

    @Test
    void productionValuesScaleOutSecureKafkaAndCreateEveryTopic() {
        Map<String, Integer> replicas = Map.of("coordinator", 2, "git", 3, "deploy", 3, "cdn", 2, "notify", 2);
        replicas.forEach((component, n) -> {
            JsonNode deployment = workload(production, component);
            assertEquals(n, deployment.at("/spec/replicas").asInt(), component);
            JsonNode pod = deployment.at("/spec/template/spec");
            assertEquals("registry.example.com/platform/" + Sources.module(component) + ":0.1.0",
                    pod.at("/containers/0/image").asText());
            assertEquals("registry-credentials", pod.at("/imagePullSecrets/0/name").asText());
            assertEquals("release-train-kafka/sasl.jaas.config", secretRefs(deployment).get("KAFKA_SASL_JAAS_CONFIG"));
            assertEquals("kafka-cluster-ca/truststore.password", secretRefs(deployment).get("KAFKA_SSL_TRUSTSTORE_PASSWORD"));
            assertKafkaSettingsMounted(production, deployment);
            JsonNode volumes = deployment.at("/spec/template/spec/volumes");
            assertTrue(volumes.findValuesAsText("secretName").contains("kafka-cluster-ca"), component + " mounts the truststore");
        });
        for (String component : COMPONENTS) {
            JsonNode config = object(production, "ConfigMap", PREFIX + component).path("data");
            assertEquals("false", config.path("QUARKUS_OTEL_SDK_DISABLED").asText(), component + " traces");
            assertEquals("http://otel-collector.observability:4317", config.path("QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT").asText(), component);
            object(defaults, "ConfigMap", PREFIX + component).path("data").fieldNames().forEachRemaining(variable ->
                    assertFalse(variable.startsWith("QUARKUS_OTEL_"), component + ": tracing stays off by default, " + variable));
        }
        Properties kafka = kafkaProperties(production);
        assertEquals("SASL_SSL", kafka.getProperty("kafka.security.protocol"));
        assertEquals("SCRAM-SHA-512", kafka.getProperty("kafka.sasl.mechanism"));
        assertEquals("${KAFKA_SASL_JAAS_CONFIG}", kafka.getProperty("kafka.sasl.jaas.config"), "the login comes from the Secret");
        assertEquals("/etc/release-train/kafka-tls/truststore.p12", kafka.getProperty("kafka.ssl.truststore.location"));
        assertEquals("${KAFKA_SSL_TRUSTSTORE_PASSWORD}", kafka.getProperty("kafka.ssl.truststore.password"));
        for (String name : kafka.stringPropertyNames()) {
            String setting = name.substring("kafka.".length());
            assertTrue(ProducerConfig.configNames().contains(setting) && ConsumerConfig.configNames().contains(setting),
                    name + " is a setting of every Kafka client");
        }
        assertTrue(kafkaProperties(defaults).isEmpty(), "no security settings by default");
        assertTrue(object(production, "ConfigMap", PREFIX + "coordinator").at("/data/QUARKUS_DATASOURCE_JDBC_URL").asText()
                .contains("?sslmode=verify-full&sslrootcert="), "the JDBC URL keeps its parameters");
        assertEquals(Map.of("AWS_ACCESS_KEY_ID", "release-train-aws/AWS_ACCESS_KEY_ID",
                        "AWS_SECRET_ACCESS_KEY", "release-train-aws/AWS_SECRET_ACCESS_KEY",
                        "KAFKA_SASL_JAAS_CONFIG", "release-train-kafka/sasl.jaas.config",
                        "KAFKA_SSL_TRUSTSTORE_PASSWORD", "kafka-cluster-ca/truststore.password",
                        "RELEASE_TRAIN_PLAN_TOKEN", "release-train-plan-token/token"),
                secretRefs(workload(production, "cdn")));
        JsonNode binding = object(production, "RoleBinding", PREFIX + "deploy");
        assertEquals("posthog", binding.at("/metadata/namespace").asText());
        // Helm's role goes to deploy-service's own account only
        assertEquals(PREFIX + "deploy", binding.at("/subjects/0/name").asText());
        object(production, "ServiceAccount", PREFIX + "deploy");
        JsonNode lease = object(production, "Role", PREFIX + "deploy-lease");
        assertEquals("posthog", lease.at("/metadata/namespace").asText());
        assertEquals("leases", lease.at("/rules/0/resources/0").asText(), "the playground's lease");
        assertEquals(PREFIX + "deploy", object(production, "RoleBinding", PREFIX + "deploy-lease").at("/subjects/0/name").asText());
        for (String component : COMPONENTS) {
            assertEquals(component.equals("deploy") ? PREFIX + "deploy" : PREFIX.substring(0, PREFIX.length() - 1),
                    workload(production, component).at("/spec/template/spec/serviceAccountName").asText(),
                    component);
        }

        Map<String, JsonNode> topics = new HashMap<>();
        production.stream().filter(o -> o.path("kind").asText().equals("KafkaTopic"))
                .forEach(t -> topics.put(t.at("/spec/topicName").asText(), t));
        assertEquals(new TreeSet<>(Topics.all()), new TreeSet<>(topics.keySet()), "one KafkaTopic per topic of the protocol");
        topics.forEach((name, topic) -> {
            assertEquals("kafka.strimzi.io/v1beta2", topic.path("apiVersion").asText());
            assertEquals("kafka", topic.at("/metadata/labels/strimzi.io~1cluster").asText());
            assertEquals(6, topic.at("/spec/partitions").asInt(), name);
            assertEquals(3, topic.at("/spec/replicas").asInt(), name);
            assertEquals("2", topic.at("/spec/config/min.insync.replicas").asText(), name);
            assertEquals(name.equals(Topics.DEAD_LETTER) ? "2592000000" : "604800000",
                    topic.at("/spec/config/retention.ms").asText(), name);
        });
    }

    @Test
    void byDefaultEachServiceKeepsItsRecordOfCompletedCommandsInAnEmptyDirThatOutlivesContainerRestarts() {
        for (String component : COMPONENTS) {
            JsonNode pod = object(defaults, "Deployment", PREFIX + component).at("/spec/template/spec");
            if (component.equals("coordinator")) {
                assertNull(env(pod, "RELEASE_TRAIN_WORKER_DATA_DIR"), "the coordinator keeps no command record");
                continue;
            }
            assertTrue(Sources.properties(component).contains("release-train.worker.data-dir"));
            assertEquals(DATA_DIR, env(pod, "RELEASE_TRAIN_WORKER_DATA_DIR"), component);
            assertEquals(DATA_DIR, mountPath(pod, "worker-data"), component);
            assertTrue(volume(pod, "worker-data").has("emptyDir"), component + ": an emptyDir, kept across container restarts");
        }
    }

    @Test
    void persistentWorkerDataRunsEachServiceAsAStatefulSetWithAClaimPerReplica() {
        assertEquals("Deployment", workload(production, "coordinator").path("kind").asText(), "the coordinator keeps no state");
        for (String component : COMPONENTS.subList(1, COMPONENTS.size())) {
            JsonNode set = workload(production, component);
            assertEquals("StatefulSet", set.path("kind").asText(), component);
            JsonNode pod = set.at("/spec/template/spec");
            assertEquals(DATA_DIR, env(pod, "RELEASE_TRAIN_WORKER_DATA_DIR"), component);
            assertEquals(DATA_DIR, mountPath(pod, "worker-data"), component);
            assertNull(volume(pod, "worker-data"), component + ": the volume comes from the claim template");
            assertEquals(185, pod.at("/securityContext/fsGroup").asInt(), "the image's user may write the claimed volume");

            JsonNode claim = set.at("/spec/volumeClaimTemplates/0");
            assertEquals("worker-data", claim.at("/metadata/name").asText());
            assertEquals("ReadWriteOnce", claim.at("/spec/accessModes/0").asText());
            assertEquals("1Gi", claim.at("/spec/resources/requests/storage").asText());
            assertEquals("gp3", claim.at("/spec/storageClassName").asText());

            JsonNode governing = object(production, "Service", set.at("/spec/serviceName").asText());
            assertEquals("None", governing.at("/spec/clusterIP").asText(), "a headless Service governs the set");
            assertEquals(set.at("/spec/selector/matchLabels"), governing.at("/spec/selector"));
            assertEquals(set.at("/spec/selector/matchLabels"),
                    object(production, "PodDisruptionBudget", PREFIX + component).at("/spec/selector/matchLabels"));
        }
    }

    private static final String DATA_DIR = "/var/lib/release-train";

    /** The component's Deployment, or its StatefulSet. */
    private static JsonNode workload(List<JsonNode> rendered, String component) {
        return rendered.stream()
                .filter(o -> Set.of("Deployment", "StatefulSet").contains(o.path("kind").asText())
                        && o.at("/metadata/name").asText().equals(PREFIX + component))
                .findFirst().orElseThrow(() -> new AssertionError("no workload " + PREFIX + component));
    }

    private static String env(JsonNode pod, String name) {
        for (JsonNode e : pod.at("/containers/0/env")) {
            if (e.path("name").asText().equals(name)) {
                return e.path("value").asText();
            }
        }
        return null;
    }

    private static String mountPath(JsonNode pod, String volume) {
        for (JsonNode m : pod.at("/containers/0/volumeMounts")) {
            if (m.path("name").asText().equals(volume)) {
                return m.path("mountPath").asText();
            }
        }
        return null;
    }

    private static JsonNode volume(JsonNode pod, String name) {
        for (JsonNode v : pod.path("volumes")) {
            if (v.path("name").asText().equals(name)) {
                return v;
            }
        }
        return null;
    }

    /** The deployment reads the kafka.* settings file of the chart's ConfigMap, where Quarkus looks for it. */
    private static void assertKafkaSettingsMounted(List<JsonNode> rendered, JsonNode deployment) {
        String component = deployment.at("/metadata/labels/app.kubernetes.io~1component").asText();
        JsonNode pod = deployment.at("/spec/template/spec");
        String location = object(rendered, "ConfigMap", PREFIX + component).at("/data/QUARKUS_CONFIG_LOCATIONS").asText();
        String volume = null;
        for (JsonNode v : pod.path("volumes")) {
            if (v.at("/configMap/name").asText().equals(PREFIX + "kafka")) {
                volume = v.path("name").asText();
            }
        }
        assertNotNull(volume, component + " has the Kafka settings volume");
        String mountPath = null;
        for (JsonNode m : pod.at("/containers/0/volumeMounts")) {
            if (m.path("name").asText().equals(volume)) {
                mountPath = m.path("mountPath").asText();
            }
        }
        assertEquals(mountPath + "/kafka.properties", location, component);
        assertTrue(object(rendered, "ConfigMap", PREFIX + "kafka").path("data").has("kafka.properties"));
    }

    private static Properties kafkaProperties(List<JsonNode> rendered) {
        Properties p = new Properties();
        try {
            p.load(new StringReader(object(rendered, "ConfigMap", PREFIX + "kafka").at("/data/kafka.properties").asText()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    private static Map<String, String> secretRefs(JsonNode deployment) {
        Map<String, String> refs = new TreeMap<>();
        for (JsonNode env : deployment.at("/spec/template/spec/containers/0/env")) {
            JsonNode ref = env.at("/valueFrom/secretKeyRef");
            if (!ref.isMissingNode()) {
                refs.put(env.path("name").asText(), ref.path("name").asText() + "/" + ref.path("key").asText());
            }
        }
        return refs;
    }

    private static JsonNode object(List<JsonNode> rendered, String kind, String name) {
        JsonNode found = rendered.stream()
                .filter(o -> o.path("kind").asText().equals(kind) && o.at("/metadata/name").asText().equals(name))
                .findFirst().orElse(null);
        assertNotNull(found, kind + " " + name);
        return found;
    }

    private static List<JsonNode> parse(String manifests) throws IOException {
        List<JsonNode> objects = new ArrayList<>();
        try (MappingIterator<JsonNode> docs = new YAMLMapper().readerFor(JsonNode.class).readValues(manifests)) {
            while (docs.hasNext()) {
                JsonNode doc = docs.next();
                if (doc != null && doc.isObject() && doc.has("kind")) {
                    objects.add(doc);
                }
            }
        }
        return objects;
    }
}
