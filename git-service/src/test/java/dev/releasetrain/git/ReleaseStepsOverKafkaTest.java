package dev.releasetrain.git;

import dev.releasetrain.local.KafkaTestResource;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.ReleaseEvent.StepFailed;
import dev.releasetrain.protocol.ReleaseEvent.StepRequested;
import dev.releasetrain.protocol.ReleaseEvent.StepSucceeded;
import dev.releasetrain.worker.testing.TestBus;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The release-branch steps as the coordinator drives them: commands on Kafka, results on release.results. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(GitSandboxResource.class)
class ReleaseStepsOverKafkaTest {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @ConfigProperty(name = "release-train.git.repository-url")
    String repositoryUrl;

    TestBus bus;

    @BeforeEach
    void connect() {
        bus = new TestBus(bootstrapServers);
    }

    @AfterEach
    void disconnect() {
        bus.close();
    }

    private Map<String, Object> succeed(String release, String step, Map<String, String> params) {
        StepRequested command = TestBus.command("git", step, params);
        bus.send(release, command);
        List<Envelope> events = bus.awaitOutcome(release, command.commandId());
        return assertInstanceOf(StepSucceeded.class, events.get(events.size() - 1).data(), events.toString()).outputs();
    }

    private static Map<String, String> release(String version, String... more) {
        Map<String, String> p = new java.util.LinkedHashMap<>(Map.of("version", version, "previousVersion", "1.28.3",
                "releaseBranch", "release-" + version, "freezeTime", "2021-09-22T14:00:00Z", "releaseDate", "2021-09-27"));
        for (int i = 0; i + 1 < more.length; i += 2) {
            p.put(more[i], more[i + 1]);
        }
        return p;
    }

    @Test
    void cutBumpPushAndChangelogThenTheSameCommandsAgain() throws Exception {
        String release = TestBus.freshReleaseId();
        String master = remote("refs/heads/master");

        Map<String, Object> cut = succeed(release, "git.cut-release-branch", release("1.29.0"));
        assertEquals(Map.of("branch", "release-1.29.0", "commit", master), cut);
        Map<String, Object> bump = succeed(release, "git.bump-version", release("1.29.0", "base", master));
        String bumpCommit = (String) bump.get("commit");
        Map<String, Object> changelog = succeed(release, "git.collect-changelog", release("1.29.0", "head", master));
        assertEquals(10, changelog.get("commits"));
        assertEquals(3, ((List<?>) changelog.get("highlights")).size());
        Map<String, Object> pushed = succeed(release, "git.push-release-branch", release("1.29.0", "commit", bumpCommit));

        assertEquals(bumpCommit, remote("refs/heads/release-1.29.0"));
        // redelivered as new commands (new command ids): the same outcome, nothing moves
        assertEquals(cut, succeed(release, "git.cut-release-branch", release("1.29.0")));
        assertEquals(bump, succeed(release, "git.bump-version", release("1.29.0", "base", master)));
        assertEquals(pushed, succeed(release, "git.push-release-branch", release("1.29.0", "commit", bumpCommit)));
        assertEquals(bumpCommit, remote("refs/heads/release-1.29.0"));
    }

    @Test
    void aTagOnAnotherCommitFailsNotRetryableOverTheBus() throws Exception {
        String release = TestBus.freshReleaseId();
        String master = remote("refs/heads/master");
        succeed(release, "git.cut-release-branch", release("1.30.0"));
        String bump = (String) succeed(release, "git.bump-version", release("1.30.0", "base", master)).get("commit");
        succeed(release, "git.push-release-branch", release("1.30.0", "commit", bump));
        // someone tagged 1.30.0 by hand on master
        try (Git git = Git.cloneRepository().setURI(repositoryUrl).setBare(true)
                .setDirectory(java.nio.file.Files.createTempDirectory("hand").toFile()).call()) {
            git.tag().setName("1.30.0").setAnnotated(true).setMessage("by hand").setSigned(false)
                    .setObjectId(git.getRepository().parseCommit(git.getRepository().resolve("refs/heads/master"))).call();
            git.push().setRemote(repositoryUrl).setPushTags().call();
        }

        StepRequested tag = TestBus.command("git", "git.tag-release", release("1.30.0"));
        bus.send(release, tag);
        List<Envelope> events = bus.awaitOutcome(release, tag.commandId());
        StepFailed failed = assertInstanceOf(StepFailed.class, events.get(events.size() - 1).data());

        assertFalse(failed.retryable());
        assertTrue(failed.reason().contains("tag 1.30.0 already exists") && failed.reason().contains(master), failed.reason());
    }

    private String remote(String ref) throws Exception {
        Map<String, Ref> refs = Git.lsRemoteRepository().setRemote(repositoryUrl).callAsMap();
        return refs.get(ref).getObjectId().name();
    }
}
