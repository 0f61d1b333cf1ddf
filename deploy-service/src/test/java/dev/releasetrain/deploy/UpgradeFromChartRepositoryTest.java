package dev.releasetrain.deploy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.releasetrain.sandbox.Sandbox;
import dev.releasetrain.worker.StepContext;
import dev.releasetrain.worker.StepFailure;
import dev.releasetrain.worker.StepOutcome;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * deploy.upgrade-playground configured as in production, chart {@code posthog/posthog} from a Helm repository
 * URL (the sandbox serves its chart as one: index.yaml and the packaged .tgz), real Helm against the Kubernetes
 * stand-in, the handler called directly (no Kafka: the Quarkus tests cover the bus). Ordered, one sandbox: a
 * first install that fails and is uninstalled, a first install left pending by a crash, then a repository that
 * is down.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UpgradeFromChartRepositoryTest {

    @TempDir
    static Path workDir;
    static Sandbox sandbox;
    static KubernetesClient client;
    static HelmKubeconfig kubeconfig;
    static UpgradePlayground step;
    static final List<String> progress = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    static void start() {
        sandbox = Sandbox.start(workDir);
        client = Sandboxes.kubernetes(sandbox.kubernetes().url());
        kubeconfig = new HelmKubeconfig();
        kubeconfig.kubeconfig = Optional.empty();
        kubeconfig.kubernetesUrl = Optional.of(sandbox.kubernetes().url());
        kubeconfig.namespace = "posthog";
        step = new UpgradePlayground();
        step.kubeconfig = kubeconfig;
        step.kubernetes = client;
        step.releaseName = "posthog";
        step.namespace = "posthog";
        step.chart = "posthog/posthog";
        step.chartRepositoryUrl = sandbox.chartRepository().repositoryUrl();
        step.chartVersion = Optional.empty();
        step.timeout = Duration.ofSeconds(20);
        step.pendingGrace = Optional.of(Duration.ofSeconds(1));
        step.openApiValidation = false;
        step.progressInterval = Duration.ofSeconds(2);
        // no check follows these upgrades to give the playground back: a lease of a second lets 1.29.1 take over
        step.lease = new PlaygroundLease();
        step.lease.kubernetes = client;
        step.lease.releaseName = "posthog";
        step.lease.namespace = "posthog";
        step.lease.leaseDuration = Duration.ofSeconds(1);
        step.lease.maxWait = Duration.ofSeconds(30);
        step.lease.handoverDuration = Duration.ofSeconds(1);
        step.lease.pollInterval = Duration.ofMillis(200);
    }

    @AfterAll
    static void stop() {
        Path scratch = kubeconfig == null ? null : kubeconfig.workDir();
        if (kubeconfig != null) {
            kubeconfig.close();
            assertFalse(Files.exists(scratch), "left behind: " + scratch);
        }
        if (client != null) {
            client.close();
        }
        if (sandbox != null) {
            sandbox.close();
        }
    }

    @AfterEach
    void clear() {
        sandbox.kubernetes().clearNeverReady();
        sandbox.chartRepository().clearFaults();
        progress.clear();
    }

    private static StepOutcome upgrade(String tag) throws Exception {
        StepContext ctx = new StepContext("1.29.0", "deploy.upgrade-playground", 1, "cmd-" + System.nanoTime(),
                Map.of("version", "1.29.0", "valuesYaml", PlaygroundTest.values(tag, 1)), (m, d) -> progress.add(m));
        try {
            return step.run(ctx);
        } catch (StepFailure f) {
            return f.outcome();
        }
    }

    private static StepOutcome.Succeeded succeeded(StepOutcome outcome) {
        return assertInstanceOf(StepOutcome.Succeeded.class, outcome, outcome::toString);
    }

    private static List<HelmReleases.Stored> history() {
        return new HelmReleases(client, "posthog", "posthog").history();
    }

    @Test
    @Order(1)
    void aFirstInstallThatNeverGetsReadyIsUninstalledAndFailsNotRetryable() throws Exception {
        sandbox.kubernetes().neverReady("release-1.29.0-unstable");
        StepOutcome.Failed failed = assertInstanceOf(StepOutcome.Failed.class, upgrade("release-1.29.0-unstable"));
        assertFalse(failed.retryable());
        assertTrue(failed.reason().startsWith("helm upgrade --install of release posthog (chart posthog-29.0.11) "
                + "in namespace posthog failed: "), failed.reason());
        assertTrue(failed.reason().endsWith("the failed first install was uninstalled"), failed.reason());
        assertTrue(failed.reason().contains("not ready when Helm gave up: deployment posthog-"), failed.reason());
        assertEquals(List.of(), history());
    }

    @Test
    @Order(2)
    void theChartComesFromTheRepositoryAndARepeatChangesNothing() throws Exception {
        StepOutcome.Succeeded ok = succeeded(upgrade("release-1.29.0-unstable"));
        assertEquals(1, ok.outputs().get("revision"));
        assertEquals("posthog-29.0.11", ok.outputs().get("chart"));
        assertEquals(true, ok.outputs().get("changed"));
        List<Pod> web = client.pods().inNamespace("posthog").withLabel("role", "web").list().getItems();
        assertTrue(!web.isEmpty() && web.stream().allMatch(p -> p.getSpec().getContainers().get(0).getImage()
                .equals("posthog/posthog:release-1.29.0-unstable")), web.toString());

        StepOutcome.Succeeded again = succeeded(upgrade("release-1.29.0-unstable"));
        assertEquals(1, again.outputs().get("revision"));
        assertEquals(false, again.outputs().get("changed"));
    }

    @Test
    @Order(3)
    void aFirstInstallLeftPendingByACrashIsUninstalledAndInstalledAgain() throws Exception {
        // The crash: Helm had stored revision 1 as pending-install and applied the objects, then the process died.
        HelmReleases.Stored first = history().get(0);
        Secret secret = client.secrets().inNamespace("posthog").withName(first.secret().getMetadata().getName()).get();
        ObjectNode release = first.release().deepCopy();
        ((ObjectNode) release.get("info")).put("status", "pending-install");
        ((ObjectNode) release.get("info")).put("last_deployed", java.time.OffsetDateTime.now().toString());
        secret.getMetadata().getLabels().put("status", "pending-install");
        secret.setData(Map.of("release", HelmReleases.encode(release)));
        client.secrets().inNamespace("posthog").resource(secret).update();

        StepOutcome.Succeeded ok = succeeded(upgrade("release-1.29.0-unstable"));
        assertEquals(1, ok.outputs().get("revision"));
        assertEquals(true, ok.outputs().get("changed"));
        assertTrue(progress.stream().anyMatch(m -> m.contains("the interrupted first install (revision 1 pending-install) "
                + "was uninstalled")), progress.toString());
        assertEquals(List.of("deployed"), history().stream().map(HelmReleases.Stored::status).toList());
    }

    @Test
    @Order(4)
    void anUnreachableChartRepositoryFailsRetryableAndAMissingVersionNamesTheSetting() throws Exception {
        sandbox.chartRepository().failNext(1, 503);
        StepOutcome.Failed down = assertInstanceOf(StepOutcome.Failed.class, upgrade("release-1.29.1-unstable"));
        assertTrue(down.retryable(), down.reason());
        assertEquals("chart repository " + sandbox.chartRepository().repositoryUrl() + " answered HTTP 503 for index.yaml", down.reason());

        step.chartVersion = Optional.of("99.0.0");
        try {
            StepOutcome.Failed missing = assertInstanceOf(StepOutcome.Failed.class, upgrade("release-1.29.1-unstable"));
            assertFalse(missing.retryable());
            assertTrue(missing.reason().startsWith("release-train.deploy.chart-version 99.0.0 of chart posthog is not in "
                    + "chart repository"), missing.reason());
        } finally {
            step.chartVersion = Optional.empty();
        }
        assertEquals(1, history().size()); // nothing was attempted
    }

    @Test
    @Order(5)
    void aPinnedVersionUpgradesFromTheRepository() throws Exception {
        step.chartVersion = Optional.of("29.0.11");
        try {
            StepOutcome.Succeeded ok = succeeded(upgrade("release-1.29.1-unstable"));
            assertEquals(2, ok.outputs().get("revision"));
            assertEquals("posthog-29.0.11", ok.outputs().get("chart"));
            // Repeated while the repository is down: the pinned chart is already deployed, nothing to fetch.
            sandbox.chartRepository().failNext(100, 503);
            StepOutcome.Succeeded again = succeeded(upgrade("release-1.29.1-unstable"));
            assertEquals(2, again.outputs().get("revision"));
            assertEquals(false, again.outputs().get("changed"));
        } finally {
            step.chartVersion = Optional.empty();
        }
    }

    @Test
    @Order(6)
    void anUnreachableClusterFailsRetryableWithoutTheKubeconfigToken(@TempDir Path dir) throws Exception {
        String token = "kubeconfig-token-" + System.nanoTime();
        Path config = dir.resolve("config");
        Files.writeString(config, """
                apiVersion: v1
                kind: Config
                clusters: [{name: c, cluster: {server: "http://127.0.0.1:9"}}]
                users: [{name: u, user: {token: %s}}]
                contexts: [{name: x, context: {cluster: c, user: u, namespace: posthog}}]
                current-context: x
                """.formatted(token));
        HelmKubeconfig configured = new HelmKubeconfig();
        configured.kubeconfig = Optional.of(config.toString());
        configured.kubernetesUrl = Optional.empty();
        configured.namespace = "posthog";
        KubernetesClients clients = new KubernetesClients();
        clients.kubernetesUrl = Optional.empty();
        clients.kubeconfig = Optional.of(config.toString());
        KubernetesClient unreachable = clients.kubernetesClient();
        HelmKubeconfig kept = step.kubeconfig;
        KubernetesClient keptClient = step.kubernetes;
        step.kubeconfig = configured;
        step.kubernetes = unreachable;
        try {
            StepOutcome.Failed failed = assertInstanceOf(StepOutcome.Failed.class, upgrade("release-1.29.1-unstable"));
            assertTrue(failed.retryable(), failed.reason());
            assertTrue(failed.reason().startsWith("reading the history of release posthog in namespace posthog failed: "
                    + "cluster unreachable"), failed.reason());
            assertFalse(failed.reason().contains(token), failed.reason());
        } finally {
            step.kubeconfig = kept;
            step.kubernetes = keptClient;
            unreachable.close();
            configured.close();
        }
    }

    @Test
    @Order(7)
    void aRevisionAnAttemptDeployedBeforeCrashingWhoseJobFailsIsRolledBackByTheNextAttempt() throws Exception {
        // The earlier attempt: Helm returned "deployed" (revision 3), then the process died before the Jobs ended.
        String failing = PlaygroundTest.failingMigration(PlaygroundTest.values("release-1.29.1-unstable", 1));
        Path values = kubeconfig.newPrivateFile("crashed", ".yaml");
        Files.writeString(values, failing);
        var release = com.marcnuri.helm.Helm.upgrade(sandbox.chartRepository().repositoryUrl() + sandbox.chartRepository().archiveName())
                .withName("posthog").withNamespace("posthog").waitReady().withTimeout(20).disableOpenApiValidation()
                .withKubeConfig(kubeconfig.path().orElseThrow()).withValuesFile(values).call();
        assertEquals("3", release.getRevision());

        StepContext ctx = new StepContext("1.29.1", "deploy.upgrade-playground", 2, "cmd-" + System.nanoTime(),
                Map.of("version", "1.29.1", "valuesYaml", failing), (m, d) -> progress.add(m));
        StepOutcome.Failed failed;
        try {
            failed = assertInstanceOf(StepOutcome.Failed.class, step.run(ctx));
        } catch (StepFailure f) {
            failed = f.outcome();
        }
        assertFalse(failed.retryable());
        assertTrue(failed.reason().startsWith("job posthog/posthog-migrate-3 of release posthog failed"), failed.reason());
        assertTrue(failed.reason().endsWith("rolled back to revision 2 (now revision 4)"), failed.reason());
        assertEquals(List.of("superseded", "superseded", "failed", "deployed"),
                history().stream().map(HelmReleases.Stored::status).toList());
        assertEquals("Rollback to 2", history().get(3).release().path("info").path("description").asText());
    }
}
