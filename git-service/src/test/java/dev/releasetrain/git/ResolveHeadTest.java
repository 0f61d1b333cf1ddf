package dev.releasetrain.git;

import dev.releasetrain.local.KafkaTestResource;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.ReleaseEvent.StepRequested;
import dev.releasetrain.protocol.ReleaseEvent.StepSucceeded;
import dev.releasetrain.protocol.Topics;
import dev.releasetrain.worker.testing.TestBus;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(GitSandboxResource.class)
class ResolveHeadTest {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @ConfigProperty(name = "release-train.git.repository-url")
    String repositoryUrl;

    @TestHTTPResource("/q/health/ready")
    URL readiness;

    @TestHTTPResource("/q/metrics")
    URL metrics;

    TestBus bus;

    @BeforeEach
    void connect() {
        bus = new TestBus(bootstrapServers);
    }

    @AfterEach
    void disconnect() {
        bus.close();
    }

    @Test
    void resolvesTheCommitAtTheHeadOfTheDefaultBranch() throws Exception {
        String release = TestBus.freshReleaseId();
        StepRequested command = TestBus.command("git", "git.resolve-head", Map.of("version", release));

        bus.send(release, command);
        List<Envelope> events = bus.awaitOutcome(release, command.commandId());

        Envelope result = TestBus.result(events); // a StepStarted first only if the step outran the grace period
        StepSucceeded succeeded = assertInstanceOf(StepSucceeded.class, result.data());
        assertTrue(succeeded.worker().startsWith("git-service@"), succeeded.worker());
        assertEquals(Map.of("branch", "master", "commit", headOfMaster()), succeeded.outputs());
        assertEquals("/release-train/git-service", result.source());
        assertEquals(release, result.releaseId());
    }

    @Test
    void theStepRunShowsOnTheMetricsEndpoint() throws Exception {
        String release = TestBus.freshReleaseId();
        StepRequested command = TestBus.command("git", "git.resolve-head", Map.of("version", release));
        bus.send(release, command);
        bus.awaitOutcome(release, command.commandId());

        HttpResponse<String> scrape = HttpClient.newHttpClient().send(HttpRequest.newBuilder(metrics.toURI()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, scrape.statusCode());
        assertTrue(scrape.body().lines().anyMatch(l -> l.startsWith("release_train_worker_step_seconds_count{")
                && l.contains("step=\"git.resolve-head\"") && l.contains("outcome=\"succeeded\"") && !l.endsWith(" 0.0")),
                "the service's step durations: " + scrape.body().lines().filter(l -> l.startsWith("release_train_")).toList());
        assertTrue(scrape.body().contains("release_train_worker_step_seconds_bucket{"), "a histogram");
    }

    @Test
    void garbageGoesToTheDeadLetterTopicWithAReasonAndTheNextCommandStillRuns() {
        String release = TestBus.freshReleaseId();

        bus.sendRaw(Topics.commands("git"), release, "not a cloud event".getBytes(StandardCharsets.UTF_8), Map.of());
        ConsumerRecord<String, byte[]> dead = bus.awaitDeadLetter(r -> release.equals(r.key()));
        StepRequested next = TestBus.command("git", "git.resolve-head", Map.of("version", release));
        bus.send(release, next);

        String reason = TestBus.headers(dead).get(Topics.DEAD_LETTER_REASON);
        assertTrue(reason.contains("undecodable message") && reason.contains("missing header ce_specversion"), reason);
        assertEquals("not a cloud event", new String(dead.value(), StandardCharsets.UTF_8));
        assertInstanceOf(StepSucceeded.class, TestBus.result(bus.awaitOutcome(release, next.commandId())).data());
    }

    @Test
    void aStepThisServiceDoesNotHandleGoesToTheDeadLetterTopic() {
        String release = TestBus.freshReleaseId();

        bus.send(release, TestBus.command("git", "git.no-such-step", Map.of("version", release)));
        ConsumerRecord<String, byte[]> dead = bus.awaitDeadLetter(r -> release.equals(r.key()));

        String reason = TestBus.headers(dead).get(Topics.DEAD_LETTER_REASON);
        assertTrue(reason.contains("no handler for step 'git.no-such-step'"), reason);
        assertTrue(reason.contains("git.cut-release-branch") && reason.contains("git.resolve-head"), reason);
    }

    @Test
    void isReadyWithItsKafkaChannels() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> answer = org.awaitility.Awaitility.await("readiness")
                .atMost(Duration.ofSeconds(30)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(100))
                .until(() -> http.send(HttpRequest.newBuilder(readiness.toURI()).build(), HttpResponse.BodyHandlers.ofString()),
                        r -> r.statusCode() == 200);

        assertEquals(200, answer.statusCode(), answer.body());
        assertTrue(answer.body().contains("commands") && answer.body().contains("results"), answer.body());
    }

    private String headOfMaster() throws Exception {
        try (Repository repo = new FileRepositoryBuilder().setGitDir(Path.of(URI.create(repositoryUrl)).toFile()).build()) {
            return repo.resolve("refs/heads/master").name();
        }
    }
}
