package dev.releasetrain.deploy;

import dev.releasetrain.local.KafkaTestResource;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.ReleaseEvent.StepFailed;
import dev.releasetrain.protocol.ReleaseEvent.StepProgress;
import dev.releasetrain.protocol.ReleaseEvent.StepRequested;
import dev.releasetrain.protocol.ReleaseEvent.StepSucceeded;
import dev.releasetrain.worker.testing.TestBus;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** deploy.await-unstable-image and deploy.await-release-image against the registry stand-in (Docker Hub tag API). */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(DeploySandboxResource.class)
class AwaitImagesTest {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @ConfigProperty(name = "sandbox.admin-url")
    String adminUrl;

    TestBus bus;

    @BeforeEach
    void connect() {
        bus = new TestBus(bootstrapServers);
    }

    @AfterEach
    void disconnect() {
        Sandboxes.admin(adminUrl, "DELETE", "/admin/faults");
        bus.close();
    }

    /** Minors rising from a random start: each test's release is newer than every release an earlier test tagged. */
    private static final java.util.concurrent.atomic.AtomicInteger MINOR =
            new java.util.concurrent.atomic.AtomicInteger(Math.abs(UUID.randomUUID().hashCode()) % 100_000);

    private static String freshMinor() {
        return "9." + MINOR.incrementAndGet() + ".0";
    }

    private static String digest(String seed) {
        return "sha256:" + String.format("%064x", new java.math.BigInteger(1, seed.getBytes()));
    }

    private void push(String tag, String digest) {
        Sandboxes.admin(adminUrl, "POST", "/admin/images/posthog/posthog/" + tag + "?digest=" + digest);
    }

    @Test
    void waitsWithProgressUntilTheUnstableImageIsPublishedAndARepeatFindsItAtOnce() {
        String v = freshMinor();
        String tag = "release-" + v + "-unstable";
        String release = TestBus.freshReleaseId();
        StepRequested command = TestBus.command("deploy", "deploy.await-unstable-image", Map.of("version", v, "tags", tag));
        bus.send(release, command);

        // CI has not published it yet: the step reports what it waits for, then the image appears.
        StepProgress waiting = (StepProgress) bus.awaitResults(release, e -> e.data() instanceof StepProgress, 1).get(0).data();
        assertTrue(waiting.message().contains("waiting for image posthog/posthog:" + tag), waiting.message());
        assertTrue(waiting.message().contains("missing " + tag), waiting.message());
        assertEquals(List.of(tag), waiting.details().get("awaited"));
        assertTrue(waiting.details().containsKey("waitedSeconds"), waiting.details().toString());
        String d = digest(tag);
        push(tag, d);

        StepSucceeded ok = assertInstanceOf(StepSucceeded.class, Sandboxes.outcome(bus.awaitOutcome(release, command.commandId())));
        assertEquals(Map.of(tag, d), ok.outputs().get("tags"));
        assertEquals(d, ok.outputs().get("digest"));

        // Safe to repeat: a new attempt finds the same image without waiting.
        StepRequested again = TestBus.command("deploy", "deploy.await-unstable-image", Map.of("version", v, "tags", tag));
        bus.send(release, again);
        List<Envelope> events = bus.awaitOutcome(release, again.commandId());
        assertEquals(ok.outputs(), assertInstanceOf(StepSucceeded.class, Sandboxes.outcome(events)).outputs());
        assertTrue(Sandboxes.progress(events).isEmpty());
    }

    @Test
    void theReleaseImageWaitsUntilLatestReleasePointsAtTheNewBuild() {
        String v = freshMinor();
        String release = TestBus.freshReleaseId();
        String d = digest("release-" + v);
        push("release-" + v, d); // CI pushed the version tag; latest-release still names the previous release
        StepRequested command = TestBus.command("deploy", "deploy.await-release-image",
                Map.of("version", v, "tags", "release-" + v + ",latest-release"));
        bus.send(release, command);

        StepProgress waiting = (StepProgress) bus.awaitResults(release, e -> e.data() instanceof StepProgress, 1).get(0).data();
        assertTrue(waiting.message().contains("latest-release is sha256:"), waiting.message());
        push("latest-release", d);

        StepSucceeded ok = assertInstanceOf(StepSucceeded.class, Sandboxes.outcome(bus.awaitOutcome(release, command.commandId())));
        assertEquals(Map.of("release-" + v, d, "latest-release", d), ok.outputs().get("tags"));
        assertEquals(d, ok.outputs().get("digest"));
    }

    @Test
    void aLatestReleaseOnANewerReleasesBuildCountsAndOneOnAnOlderBuildIsWaitedOn() {
        String v = freshMinor();
        String newer = v.replaceFirst("\\.0$", ".5"); // 9.N.5, tagged first
        String older = "release-" + v;
        push("release-" + newer, digest("release-" + newer));
        push("latest-release", digest("release-" + newer));
        push(older, digest(older)); // CI built the older one after: latest-release stays on the newer release

        String release = TestBus.freshReleaseId();
        StepRequested command = TestBus.command("deploy", "deploy.await-release-image",
                Map.of("version", v, "tags", older + ",latest-release"));
        bus.send(release, command);
        StepSucceeded ok = assertInstanceOf(StepSucceeded.class, Sandboxes.outcome(bus.awaitOutcome(release, command.commandId())));
        assertEquals(digest(older), ok.outputs().get("digest"));

        // latest-release on an older release's build (CI has not moved it to ours yet) is still waited on
        String next = "9." + v.split("\\.")[1] + ".7";
        push("release-" + next, digest("release-" + next));
        String waitingRelease = TestBus.freshReleaseId();
        StepRequested waiting = TestBus.command("deploy", "deploy.await-release-image",
                Map.of("version", next, "tags", "release-" + next + ",latest-release"));
        bus.send(waitingRelease, waiting);
        StepProgress progress = (StepProgress) bus.awaitResults(waitingRelease, e -> e.data() instanceof StepProgress, 1).get(0).data();
        assertTrue(progress.message().contains("latest-release is " + digest("release-" + newer)), progress.message());
        push("latest-release", digest("release-" + next));
        assertInstanceOf(StepSucceeded.class, Sandboxes.outcome(bus.awaitOutcome(waitingRelease, waiting.commandId())));
    }

    @Test
    void anUnavailableRegistryIsWaitedOut() {
        String v = freshMinor();
        String tag = "release-" + v + "-unstable";
        push(tag, digest(tag));
        Sandboxes.admin(adminUrl, "POST", "/admin/faults/registry?count=3&status=503");
        String release = TestBus.freshReleaseId();
        StepRequested command = TestBus.command("deploy", "deploy.await-unstable-image", Map.of("version", v, "tags", tag));
        bus.send(release, command);

        List<Envelope> events = bus.awaitOutcome(release, command.commandId());
        assertInstanceOf(StepSucceeded.class, Sandboxes.outcome(events));
        assertTrue(Sandboxes.progress(events).stream().anyMatch(p -> p.message().contains("HTTP 503")),
                Sandboxes.progress(events).toString());
    }

    @Test
    void aTagThatNeverAppearsFailsRetryableAfterTheMaxWait() {
        String tag = "release-" + freshMinor() + "-unstable";
        String release = TestBus.freshReleaseId();
        StepRequested command = TestBus.command("deploy", "deploy.await-unstable-image", Map.of("tags", tag));
        bus.send(release, command);

        StepFailed failed = assertInstanceOf(StepFailed.class, Sandboxes.outcome(bus.awaitOutcome(release, command.commandId())));
        assertTrue(failed.retryable());
        assertTrue(failed.reason().startsWith("image posthog/posthog:" + tag + " not ready after "), failed.reason());
        assertTrue(failed.reason().contains("(max wait 6s): missing " + tag), failed.reason());
    }

    @Test
    void anUnauthorizedRegistryFailsNotRetryable() {
        Sandboxes.admin(adminUrl, "POST", "/admin/faults/registry?count=1&status=401");
        String release = TestBus.freshReleaseId();
        StepRequested command = TestBus.command("deploy", "deploy.await-unstable-image", Map.of("tags", "release-1.28.3-unstable"));
        bus.send(release, command);

        StepFailed failed = assertInstanceOf(StepFailed.class, Sandboxes.outcome(bus.awaitOutcome(release, command.commandId())));
        assertFalse(failed.retryable());
        assertTrue(failed.reason().startsWith("image registry answered HTTP 401"), failed.reason());
    }

    @Test
    void aRegistryThatStaysDownFailsRetryableNamingTheRegistryAndTheAnswer() {
        String tag = "release-" + freshMinor() + "-unstable";
        push(tag, digest(tag)); // the image exists; the registry does not answer
        Sandboxes.admin(adminUrl, "POST", "/admin/faults/registry?count=10000&status=503");
        try {
            String release = TestBus.freshReleaseId();
            StepRequested command = TestBus.command("deploy", "deploy.await-unstable-image", Map.of("tags", tag));
            bus.send(release, command);
            StepFailed failed = assertInstanceOf(StepFailed.class, Sandboxes.outcome(bus.awaitOutcome(release, command.commandId())));
            assertTrue(failed.retryable(), failed.reason());
            assertTrue(failed.reason().startsWith("image posthog/posthog:" + tag + " not ready after "), failed.reason());
            assertTrue(failed.reason().contains("HTTP 503"), failed.reason());
        } finally {
            Sandboxes.admin(adminUrl, "DELETE", "/admin/faults");
        }
    }
}
