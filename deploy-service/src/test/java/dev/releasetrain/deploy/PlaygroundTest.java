package dev.releasetrain.deploy;

import dev.releasetrain.local.KafkaTestResource;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.ReleaseEvent.StepFailed;
import dev.releasetrain.protocol.ReleaseEvent.StepProgress;
import dev.releasetrain.protocol.ReleaseEvent.StepRequested;
import dev.releasetrain.protocol.ReleaseEvent.StepSucceeded;
import dev.releasetrain.worker.testing.TestBus;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.releasetrain.sandbox.AppSource;
import dev.releasetrain.sandbox.Sandbox;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * deploy.upgrade-playground (real Helm through helm-java) and deploy.verify-playground (fabric8, HTTP) against
 * the Kubernetes stand-in, its simulated controller, the sandbox chart and the playground stand-in. The images
 * are the sandbox CI's builds of release branches pushed to the app remote (awaited with
 * deploy.await-unstable-image); the playground reports {@code posthog/version.py} of the commit an image was
 * built from. Ordered: each test starts from the release state the previous one left.
 */
@QuarkusTest
@TestProfile(PlaygroundTest.TwoWorkerThreads.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(DeploySandboxResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PlaygroundTest {

    /** Two worker threads: more waiting upgrades than threads, as twenty releases at once are for the usual 16. */
    public static final class TwoWorkerThreads implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("smallrye.messaging.worker.release-train-steps.max-concurrency", "2");
        }
    }

    /** The digest of the image CI built from release-1.29.0 (set by the first test). */
    static String digest1290;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @ConfigProperty(name = "sandbox.admin-url")
    String adminUrl;

    @ConfigProperty(name = "sandbox.kubernetes-url")
    String kubernetesUrl;

    @ConfigProperty(name = "sandbox.git.posthog.path")
    String appRemotePath;

    TestBus bus;

    @BeforeEach
    void connect() {
        bus = new TestBus(bootstrapServers);
    }

    @AfterEach
    void disconnect() {
        Sandboxes.admin(adminUrl, "DELETE", "/admin/faults");
        Sandboxes.admin(adminUrl, "DELETE", "/admin/kubernetes/never-ready");
        bus.close();
    }

    /** The vpc repository's playground values (client_values/posthog/playground.yaml) with that image tag. */
    static String values(String tag, int webReplicas) {
        return """
                cloud: "aws"

                ingress:
                  hostname: playground.posthog.net
                  nginx:
                    enabled: false

                image:
                  repository: posthog/posthog
                  tag: %s
                  pullPolicy: Always

                web:
                  replicacount: %d
                  env:
                    - name: SKIP_SERVICE_VERSION_REQUIREMENTS
                      value: "1"

                worker:
                  replicacount: 1
                """.formatted(tag, webReplicas);
    }

    /** The release these tests' steps belong to: it holds the playground's lease from its first upgrade on. */
    static final String RELEASE = TestBus.freshReleaseId();

    private List<Envelope> run(String step, Map<String, String> params) {
        return run(RELEASE, step, params);
    }

    private List<Envelope> run(String release, String step, Map<String, String> params) {
        StepRequested command = TestBus.command("deploy", step, params);
        bus.send(release, command);
        return bus.awaitOutcome(release, command.commandId());
    }

    /**
     * Pushes {@code release-<version>} to the app remote, on top of {@code from}, with its version bump or (when
     * {@code bumped} is false) without it, and returns the digest of the image CI then publishes for it.
     */
    private String pushReleaseBranch(String version, String from, boolean bumped) {
        String branch = "release-" + version;
        Path appRemote = Path.of(appRemotePath);
        if (bumped) {
            AppSource.commitVersion(appRemote, branch, from, version);
        } else {
            AppSource.commit(appRemote, branch, from, Map.of("posthog/settings/fix.py", "FIXED = True\n"),
                    "fix: A fix, and no version bump");
        }
        StepSucceeded built = assertInstanceOf(StepSucceeded.class, Sandboxes.outcome(run("deploy.await-unstable-image",
                Map.of("version", version, "tags", branch + "-unstable"))));
        return String.valueOf(built.outputs().get("digest"));
    }

    private Object upgrade(String tag, int webReplicas) {
        return Sandboxes.outcome(run("deploy.upgrade-playground",
                Map.of("version", "1.29.0", "valuesYaml", values(tag, webReplicas), "valuesCommit", "abc1234")));
    }

    private Object verify(String version, String tag, String digest) {
        Map<String, String> params = new HashMap<>(Map.of("version", version, "imageTag", tag));
        if (digest != null) {
            params.put("digest", digest);
        }
        return Sandboxes.outcome(run("deploy.verify-playground", params));
    }

    @Test
    @Order(1)
    void theFirstUpgradeInstallsRevisionOneAndRunningItAgainChangesNothing() {
        // The image CI published for the release branch (the pods' imageID carries its digest).
        digest1290 = pushReleaseBranch("1.29.0", "master", true);

        StepSucceeded first = assertInstanceOf(StepSucceeded.class, upgrade("release-1.29.0-unstable", 2));
        assertEquals(1, first.outputs().get("revision"));
        assertEquals("deployed", first.outputs().get("status"));
        assertEquals("posthog-29.0.11", first.outputs().get("chart"));
        assertEquals(true, first.outputs().get("changed"));
        List<Pod> app = Sandboxes.pods(kubernetesUrl).stream()
                .filter(p -> "posthog".equals(p.getMetadata().getLabels().get("app"))).toList();
        assertEquals(5, app.size());
        assertTrue(app.stream().allMatch(p -> p.getSpec().getContainers().get(0).getImage()
                .equals("posthog/posthog:release-1.29.0-unstable")), app.toString());

        StepSucceeded second = assertInstanceOf(StepSucceeded.class, upgrade("release-1.29.0-unstable", 2));
        assertEquals(1, second.outputs().get("revision"));
        assertEquals(false, second.outputs().get("changed"));
    }

    @Test
    @Order(2)
    void verifyFindsEveryPodReadyOnTheImageAndThePlaygroundReportingTheVersion() {
        StepSucceeded ok = assertInstanceOf(StepSucceeded.class, verify("1.29.0", "release-1.29.0-unstable", digest1290));
        assertEquals(6, ok.outputs().get("podsTotal")); // 5 app pods and ClickHouse
        assertEquals(6, ok.outputs().get("podsReady"));
        assertEquals("1.29.0", ok.outputs().get("reportedVersion"));
    }

    @Test
    @Order(3)
    void aVersionMismatchFailsNotRetryableNamingBothVersions() {
        StepFailed failed = assertInstanceOf(StepFailed.class, verify("1.29.5", "release-1.29.0-unstable", null));
        assertFalse(failed.retryable());
        assertTrue(failed.reason().contains("reports posthog_version 1.29.0, expected 1.29.5"), failed.reason());
    }

    @Test
    @Order(4)
    void aStaleDeploymentFailsVerifyNamingThePodsOnTheOldImage() {
        StepFailed failed = assertInstanceOf(StepFailed.class, verify("1.30.0", "release-1.30.0-unstable", null));
        assertFalse(failed.retryable());
        assertTrue(failed.reason().contains("runs posthog/posthog:release-1.29.0-unstable"), failed.reason());
    }

    @Test
    @Order(5)
    void otherValuesMakeOneNewRevision() {
        StepSucceeded ok = assertInstanceOf(StepSucceeded.class, upgrade("release-1.29.0-unstable", 1));
        assertEquals(2, ok.outputs().get("revision"));
        StepSucceeded again = assertInstanceOf(StepSucceeded.class, upgrade("release-1.29.0-unstable", 1));
        assertEquals(2, again.outputs().get("revision"));
        assertEquals(false, again.outputs().get("changed"));
    }

    @Test
    @Order(6)
    void aRolloutThatNeverGetsReadyIsRolledBackAndFailsNotRetryable() {
        Sandboxes.admin(adminUrl, "POST", "/admin/kubernetes/never-ready?image=release-1.29.1-unstable");
        List<Envelope> events = run("deploy.upgrade-playground",
                Map.of("version", "1.29.1", "valuesYaml", values("release-1.29.1-unstable", 1)));
        StepFailed failed = assertInstanceOf(StepFailed.class, Sandboxes.outcome(events));
        assertFalse(failed.retryable());
        assertTrue(failed.reason().contains("rolled back"), failed.reason());
        assertTrue(failed.reason().contains("helm upgrade --install of release posthog (chart posthog-29.0.11) in namespace posthog failed"),
                failed.reason());
        // Helm says only "context deadline exceeded"; the reason also names what did not get ready, and why.
        assertTrue(failed.reason().contains("(not ready when Helm gave up: deployment posthog-"), failed.reason());
        assertTrue(failed.reason().contains(": CrashLoopBackOff"), failed.reason());
        assertFalse(Sandboxes.progress(events).isEmpty()); // progress while Helm waited
        // The playground still runs (and reports) the previous version.
        assertInstanceOf(StepSucceeded.class, verify("1.29.0", "release-1.29.0-unstable", digest1290));
    }

    @Test
    @Order(7)
    void aFailedMigrationJobRollsBackToThePreviousRevisionAndFailsNotRetryable() {
        // Revisions so far: 1 (install), 2 (one web replica), 3 (failed rollout), 4 (Helm's rollback to 2).
        List<HelmReleases.Stored> before = history();
        int previous = before.get(before.size() - 1).version();
        List<Envelope> events = run("deploy.upgrade-playground", Map.of("version", "1.29.0",
                "valuesYaml", failingMigration(values("release-1.29.0-unstable", 1))));
        StepFailed failed = assertInstanceOf(StepFailed.class, Sandboxes.outcome(events));
        assertFalse(failed.retryable());
        int broken = previous + 1;
        assertTrue(failed.reason().contains("job posthog/posthog-migrate-" + broken + " of release posthog failed"),
                failed.reason());
        assertTrue(failed.reason().contains("BackoffLimitExceeded"), failed.reason());
        assertTrue(failed.reason().contains("rolled back to revision " + previous + " (now revision " + (broken + 1) + ")"),
                failed.reason());

        List<HelmReleases.Stored> after = history();
        HelmReleases.Stored last = after.get(after.size() - 1);
        assertEquals(broken + 1, last.version());
        assertEquals("deployed", last.status());
        assertEquals("posthog-29.0.11", last.chartName());
        assertEquals("failed", after.get(after.size() - 2).status());
        assertEquals("1", last.config().path("web").path("replicacount").asText());
        assertTrue(last.config().path("migrate").isMissingNode(), last.config().toString());
        // The rolled-back release is the deployed state the good values describe: a repeat changes nothing.
        StepSucceeded again = assertInstanceOf(StepSucceeded.class, upgrade("release-1.29.0-unstable", 1));
        assertEquals(broken + 1, again.outputs().get("revision"));
        assertEquals(false, again.outputs().get("changed"));
        assertInstanceOf(StepSucceeded.class, verify("1.29.0", "release-1.29.0-unstable", digest1290));
    }

    @Test
    @Order(8)
    void anUpgradeLeftPendingByACrashedAttemptIsRecoveredByTheNextAttempt() throws Exception {
        pushReleaseBranch("1.29.1", "release-1.29.0", true);
        // A crash after Helm stored the pending revision and before it finished: what the record shows then.
        HelmReleases.Stored deployed = lastRevision();
        String newValues = values("release-1.29.1-unstable", 1);
        int pending = deployed.version() + 1;
        forgeRevision(deployed, pending, "pending-upgrade", newValues);
        assertEquals("pending-upgrade", lastRevision().status());

        List<Envelope> events = run("deploy.upgrade-playground", Map.of("version", "1.29.1", "valuesYaml", newValues));
        StepSucceeded ok = assertInstanceOf(StepSucceeded.class, Sandboxes.outcome(events));
        assertEquals(pending + 1, ok.outputs().get("revision"));
        assertEquals(true, ok.outputs().get("changed"));
        assertTrue(Sandboxes.progress(events).stream().anyMatch(p -> p.message().contains("recovered release posthog")
                && p.message().contains("revision " + pending + " (pending-upgrade, interrupted) marked failed")),
                Sandboxes.progress(events).toString());
        List<String> statuses = history().stream().map(HelmReleases.Stored::status).toList();
        assertEquals(List.of("superseded", "failed", "deployed"), statuses.subList(statuses.size() - 3, statuses.size()));
        assertInstanceOf(StepSucceeded.class, verify("1.29.1", "release-1.29.1-unstable", null));

        // And once more with the same values: nothing new.
        StepSucceeded again = assertInstanceOf(StepSucceeded.class, Sandboxes.outcome(
                run("deploy.upgrade-playground", Map.of("version", "1.29.1", "valuesYaml", newValues))));
        assertEquals(pending + 1, again.outputs().get("revision"));
        assertEquals(false, again.outputs().get("changed"));
    }

    @Test
    @Order(9)
    void anUnreachableClusterFailsRetryableWithoutSecrets() {
        Sandboxes.admin(adminUrl, "POST", "/admin/faults/kubernetes?count=200&status=503");
        StepFailed failed = assertInstanceOf(StepFailed.class, upgrade("release-1.29.1-unstable", 1));
        assertTrue(failed.retryable(), failed.reason());
        // the first call to the cluster is the playground's lease
        assertTrue(failed.reason().startsWith("cannot take lease posthog/release-train-posthog on the playground: HTTP 503"),
                failed.reason());
        Sandboxes.admin(adminUrl, "DELETE", "/admin/faults");
        StepSucceeded ok = assertInstanceOf(StepSucceeded.class, upgrade("release-1.29.1-unstable", 1));
        assertEquals(false, ok.outputs().get("changed"));
    }

    @Test
    @Order(10)
    void verifyIsSafeToRepeatAndAnUnreachablePlaygroundIsRetryableWithoutTheApiKey() {
        StepSucceeded first = assertInstanceOf(StepSucceeded.class, verify("1.29.1", "release-1.29.1-unstable", null));
        StepSucceeded second = assertInstanceOf(StepSucceeded.class, verify("1.29.1", "release-1.29.1-unstable", null));
        assertEquals(first.outputs(), second.outputs());
        Sandboxes.admin(adminUrl, "POST", "/admin/faults/playground?count=100&status=503");
        StepFailed failed = assertInstanceOf(StepFailed.class, verify("1.29.1", "release-1.29.1-unstable", null));
        assertTrue(failed.retryable(), failed.reason());
        assertFalse(failed.reason().contains(Sandbox.PLAYGROUND_API_KEY), failed.reason());
    }

    @Test
    @Order(11)
    void aReleaseBranchPushedWithoutItsVersionBumpFailsVerifyNamingBothVersions() {
        // every pod runs the release's image, but its code still says the version it was cut from
        String digest = pushReleaseBranch("1.29.2", "release-1.29.1", false);
        assertInstanceOf(StepSucceeded.class, upgrade("release-1.29.2-unstable", 1));
        StepFailed failed = assertInstanceOf(StepFailed.class, verify("1.29.2", "release-1.29.2-unstable", digest));
        assertFalse(failed.retryable());
        assertTrue(failed.reason().contains("reports posthog_version 1.29.1, expected 1.29.2"), failed.reason());
        assertTrue(failed.reason().contains("pods run posthog/posthog:release-1.29.2-unstable"), failed.reason());
    }

    @Test
    @Order(12)
    void anotherReleasesUpgradeWaitsForTheLeaseUntilTheHoldersCheckPassesAndAnAbandonedLeaseIsTakenOver() {
        // RELEASE holds the playground (its last check failed: a failed check keeps the lease)
        String other = TestBus.freshReleaseId();
        StepRequested waiting = TestBus.command("deploy", "deploy.upgrade-playground",
                Map.of("version", "1.29.2", "valuesYaml", values("release-1.29.2-unstable", 1)));
        bus.send(other, waiting);
        List<Envelope> progress = bus.awaitResults(other, e -> e.data() instanceof StepProgress p
                && p.commandId().equals(waiting.commandId()) && p.message().contains("is held by release " + RELEASE), 1);
        assertTrue(progress.get(0).data() instanceof StepProgress p && p.message().contains("deploy.verify-playground"));

        // the holder's check passes (the image of the previous test reports 1.29.1): it gives the playground back
        // and the waiting upgrade runs
        assertInstanceOf(StepSucceeded.class, verify("1.29.1", "release-1.29.2-unstable", null));
        StepSucceeded upgraded = assertInstanceOf(StepSucceeded.class,
                Sandboxes.outcome(bus.awaitOutcome(other, waiting.commandId())));
        assertEquals(false, upgraded.outputs().get("changed"), "the same values: no new revision");
        assertEquals(other, lease().getSpec().getHolderIdentity());

        // a lease nobody renewed for longer than its duration: the release that held it was abandoned
        try (KubernetesClient client = Sandboxes.kubernetes(kubernetesUrl)) {
            Lease stale = lease();
            stale.getSpec().setHolderIdentity("1.28.0");
            stale.getSpec().setRenewTime(java.time.ZonedDateTime.now(ZoneOffset.UTC).minusHours(1));
            client.leases().inNamespace("posthog").resource(stale).update();
        }
        assertInstanceOf(StepSucceeded.class, upgrade("release-1.29.2-unstable", 1));
        Lease taken = lease();
        assertEquals(RELEASE, taken.getSpec().getHolderIdentity());
        assertTrue(taken.getSpec().getLeaseTransitions() >= 1, "a takeover counts as a transition");
        assertInstanceOf(StepSucceeded.class, verify("1.29.1", "release-1.29.2-unstable", null));
        assertEquals(null, lease(), "given back once checked");
    }

    @Test
    @Order(13)
    void aCheckThatFindsThePlaygroundTakenOverSinceItsUpgradeDeploysItsValuesAgainOrFailsAtOnce() {
        // RELEASE's upgrade hands the lease over to its check for the longer hand-over duration
        String mine = values("release-1.29.1-unstable", 1);
        StepSucceeded upgraded = assertInstanceOf(StepSucceeded.class, Sandboxes.outcome(run("deploy.upgrade-playground",
                Map.of("version", "1.29.1", "valuesYaml", mine))));
        assertEquals(true, upgraded.outputs().get("changed"));
        Lease handedOver = lease();
        assertEquals(RELEASE, handedOver.getSpec().getHolderIdentity());
        assertEquals(30 * 60, handedOver.getSpec().getLeaseDurationSeconds(), "the hand-over lease lasts lease-handover");

        // the hand-over ran out before RELEASE's check came: another release took the playground, upgraded it and
        // passed its own check (its image reports 1.29.1: pushed without its bump)
        String other = TestBus.freshReleaseId();
        expire(lease());
        StepSucceeded theirs = assertInstanceOf(StepSucceeded.class, Sandboxes.outcome(run(other, "deploy.upgrade-playground",
                Map.of("version", "1.29.2", "valuesYaml", values("release-1.29.2-unstable", 1)))));
        assertInstanceOf(StepSucceeded.class, Sandboxes.outcome(run(other, "deploy.verify-playground",
                Map.of("version", "1.29.1", "imageTag", "release-1.29.2-unstable"))));
        assertEquals(null, lease());

        // RELEASE's check, with its upgrade's values: it takes the playground anew and deploys its values again
        List<Envelope> events = run("deploy.verify-playground",
                Map.of("version", "1.29.1", "imageTag", "release-1.29.1-unstable", "valuesYaml", mine));
        StepSucceeded checked = assertInstanceOf(StepSucceeded.class, Sandboxes.outcome(events));
        assertEquals((int) theirs.outputs().get("revision") + 1, checked.outputs().get("redeployedRevision"));
        assertEquals("posthog/posthog:release-1.29.1-unstable", checked.outputs().get("image"));
        assertTrue(Sandboxes.progress(events).stream().anyMatch(p -> p.message().contains(
                "the playground was not held for release " + RELEASE + " since its upgrade")), Sandboxes.progress(events).toString());
        assertEquals(null, lease(), "given back once checked");

        // the same, for a check without the values: every pod Ready on the other release's image will not change,
        // so it fails at once, naming the revision and the release that made it, instead of waiting out its timeout
        assertInstanceOf(StepSucceeded.class, Sandboxes.outcome(run(other, "deploy.upgrade-playground",
                Map.of("version", "1.29.2", "valuesYaml", values("release-1.29.2-unstable", 1)))));
        expire(lease());
        StepFailed failed = assertInstanceOf(StepFailed.class, verify("1.29.1", "release-1.29.1-unstable", null));
        assertFalse(failed.retryable());
        assertTrue(failed.reason().startsWith("playground pods all Ready but not on posthog/posthog:release-1.29.1-unstable"),
                failed.reason());
        assertTrue(failed.reason().contains("\"Release Train " + other + "\"") && failed.reason().contains("will not change by waiting"),
                failed.reason());
    }

    @Test
    @Order(14)
    void upgradesWaitingForThePlaygroundGiveUpTheirThreadsSoTheHoldersCheckRuns() {
        // RELEASE upgrades: it holds the playground until its check
        String mine = values("release-1.29.1-unstable", 1);
        assertInstanceOf(StepSucceeded.class, Sandboxes.outcome(run("deploy.upgrade-playground",
                Map.of("version", "1.29.1", "valuesYaml", mine))));
        assertEquals(RELEASE, lease().getSpec().getHolderIdentity());

        // three other releases' upgrades arrive before RELEASE's check: more than the service's two threads
        List<String> others = List.of(TestBus.freshReleaseId(), TestBus.freshReleaseId(), TestBus.freshReleaseId());
        List<StepRequested> waiting = new java.util.ArrayList<>();
        for (String other : others) {
            StepRequested upgrade = TestBus.command("deploy", "deploy.upgrade-playground",
                    Map.of("version", "1.29.1", "valuesYaml", mine));
            bus.send(other, upgrade);
            waiting.add(upgrade);
        }
        StepRequested check = TestBus.command("deploy", "deploy.verify-playground",
                Map.of("version", "1.29.1", "imageTag", "release-1.29.1-unstable"));
        bus.send(RELEASE, check);

        // the first two wait out lease-wait and fail retryably (the coordinator tries them again later), which
        // frees their threads for the check; with a wait longer than the check's patience it never starts
        Envelope first = Sandboxes.outcomeEnvelope(bus.awaitOutcome(others.get(0), waiting.get(0).commandId()));
        StepFailed gaveUp = assertInstanceOf(StepFailed.class, first.data());
        assertTrue(gaveUp.retryable(), gaveUp.reason());
        assertTrue(gaveUp.reason().contains("is still held by release " + RELEASE), gaveUp.reason());
        Envelope checked = Sandboxes.outcomeEnvelope(bus.awaitOutcome(RELEASE, check.commandId()));
        assertInstanceOf(StepSucceeded.class, checked.data());
        assertTrue(!checked.time().isBefore(first.time()),
                "the check waited for a thread (two threads): it ended after a waiting upgrade gave up");
        assertTrue(lease() == null || !RELEASE.equals(lease().getSpec().getHolderIdentity()), "given back once checked");
    }

    /** Makes the lease look abandoned: not renewed for an hour. */
    private void expire(Lease lease) {
        try (KubernetesClient client = Sandboxes.kubernetes(kubernetesUrl)) {
            lease.getSpec().setRenewTime(java.time.ZonedDateTime.now(ZoneOffset.UTC).minusHours(1));
            client.leases().inNamespace("posthog").resource(lease).update();
        }
    }

    private Lease lease() {
        try (KubernetesClient client = Sandboxes.kubernetes(kubernetesUrl)) {
            return client.leases().inNamespace("posthog").withName("release-train-posthog").get();
        }
    }

    static String failingMigration(String values) {
        return values + """

                migrate:
                  sandboxOutcome: fail
                """;
    }

    private List<HelmReleases.Stored> history() {
        try (KubernetesClient client = Sandboxes.kubernetes(kubernetesUrl)) {
            return new HelmReleases(client, "posthog", "posthog").history();
        }
    }

    private HelmReleases.Stored lastRevision() {
        List<HelmReleases.Stored> h = history();
        return h.get(h.size() - 1);
    }

    /** Stores revision {@code version} as Helm would have, copying {@code from}, with a status and values. */
    private void forgeRevision(HelmReleases.Stored from, int version, String status, String valuesYaml) throws Exception {
        ObjectNode release = from.release().deepCopy();
        release.put("version", version);
        ObjectNode info = (ObjectNode) release.get("info");
        info.put("status", status);
        info.put("description", "Upgrade in progress");
        info.put("last_deployed", OffsetDateTime.now(ZoneOffset.UTC).toString());
        release.set("config", new ObjectMapper(new YAMLFactory()).readTree(valuesYaml));
        String name = "sh.helm.release.v1.posthog.v" + version;
        Secret secret = new SecretBuilder().withNewMetadata().withName(name).withNamespace("posthog")
                .withLabels(Map.of("owner", "helm", "name", "posthog", "status", status, "version", String.valueOf(version)))
                .endMetadata().withType("helm.sh/release.v1")
                .withData(Map.of("release", HelmReleases.encode(release))).build();
        try (KubernetesClient client = Sandboxes.kubernetes(kubernetesUrl)) {
            client.secrets().inNamespace("posthog").resource(secret).create();
        }
    }
}
