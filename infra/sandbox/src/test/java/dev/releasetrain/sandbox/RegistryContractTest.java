package dev.releasetrain.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.transport.RefSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.time.Instant;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Docker Hub tag API stand-in and the CI simulation behind it. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class) // the seeded tags first, then the CI moves latest-release
class RegistryContractTest {

    @TempDir
    static Path workDir;
    @TempDir
    static Path clone;
    static Sandbox sandbox;
    static final HttpClient http = HttpClient.newHttpClient();
    static final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void start() {
        sandbox = Sandbox.start(workDir, Sandbox.Options.defaults().withCiBuildTime(Duration.ofMillis(300)));
    }

    @AfterAll
    static void stop() {
        if (sandbox != null) {
            sandbox.close();
        }
    }

    @Test
    @Order(1)
    void existingTagAnswersWithDigestAndMissingTagIs404() throws Exception {
        HttpResponse<String> r = get("/v2/repositories/posthog/posthog/tags/release-1.28.3-unstable");
        assertEquals(200, r.statusCode());
        JsonNode tag = json.readTree(r.body());
        assertEquals("release-1.28.3-unstable", tag.get("name").asText());
        Instant.parse(tag.get("last_updated").asText());
        assertEquals(Images.digest("posthog/posthog", "release-1.28.3-unstable"), tag.get("images").get(0).get("digest").asText());

        JsonNode latest = json.readTree(get("/v2/namespaces/posthog/repositories/posthog/tags/latest-release").body());
        JsonNode release = json.readTree(get("/v2/repositories/posthog/posthog/tags/release-1.28.3").body());
        assertEquals(release.get("images").get(0).get("digest"), latest.get("images").get(0).get("digest"));

        assertEquals(404, get("/v2/repositories/posthog/posthog/tags/release-9.9.9-unstable").statusCode());

        JsonNode list = json.readTree(get("/v2/repositories/posthog/posthog/tags?page_size=2").body());
        assertEquals(5, list.get("count").asInt());
        assertEquals(2, list.get("results").size());
        assertTrue(list.get("next").asText().contains("page=2"));
    }

    @Test
    @Order(2)
    void pushingAReleaseBranchAndTagPublishesImages() throws Exception {
        PersonIdent bot = new PersonIdent("Release Train", "release-train@posthog.com", Instant.parse("2021-09-22T09:00:00Z"),
                java.time.ZoneId.of("UTC"));
        try (Git git = Git.cloneRepository().setURI(sandbox.git().url("posthog")).setDirectory(clone.toFile()).call()) {
            git.branchCreate().setName("release-1.29.0").call();
            git.checkout().setName("release-1.29.0").call();
            Files.writeString(clone.resolve("posthog/version.py"), "VERSION = \"1.29.0\"\n");
            git.add().addFilepattern("posthog/version.py").call();
            git.commit().setMessage("chore: Bump version to 1.29.0").setAuthor(bot).setCommitter(bot).setSign(false).call();
            git.push().setRefSpecs(new RefSpec("refs/heads/release-1.29.0:refs/heads/release-1.29.0")).call();

            JsonNode unstable = awaitTag("release-1.29.0-unstable");
            assertTrue(unstable.get("images").get(0).get("digest").asText().startsWith("sha256:"));
            // the registry remembers the commit each image was built from (the playground reads its version.py)
            String bump = git.getRepository().resolve("refs/heads/release-1.29.0").name();
            assertEquals(java.util.Optional.of(bump), sandbox.registry().builtFrom(unstable.get("digest").asText()));

            git.tag().setName("1.29.0").setAnnotated(true).setMessage("Version 1.29.0").setTagger(bot).setSigned(false).call();
            git.push().setPushTags().call();
            JsonNode release = awaitTag("release-1.29.0");
            JsonNode latest = await().atMost(Duration.ofSeconds(10)).until(() -> tagOrNull("latest-release"),
                    t -> t != null && t.get("digest").equals(release.get("digest")));
            assertEquals(release.get("digest"), latest.get("digest"));
            assertNotEquals(Images.digest("posthog/posthog", "release-1.28.3"), latest.get("digest").asText());
            assertEquals(java.util.Optional.of(bump), sandbox.registry().builtFrom(latest.get("digest").asText()));

            // a patch of the older minor, tagged after: its image is built, latest-release stays on 1.29.0
            git.tag().setName("1.28.4").setObjectId(git.getRepository().parseCommit(git.getRepository().resolve("refs/tags/1.28.3^{commit}")))
                    .setAnnotated(true).setMessage("Version 1.28.4").setTagger(bot).setSigned(false).call();
            git.push().setPushTags().call();
            awaitTag("release-1.28.4");
            assertEquals(release.get("digest"), tagOrNull("latest-release").get("digest"), "latest-release only moves forward");
        }
    }

    @Test
    @Order(3)
    void faultsAndManualPublishingThroughTheAdminEndpoint() throws Exception {
        long before = sandbox.standIns().calls("registry");
        HttpResponse<String> fault = http.send(HttpRequest.newBuilder(URI.create(sandbox.adminUrl()
                + "/admin/faults/registry?count=1&status=503")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, fault.statusCode(), fault.body());
        assertEquals(503, get("/v2/repositories/posthog/posthog/tags/release-1.28.3").statusCode());
        assertEquals(200, get("/v2/repositories/posthog/posthog/tags/release-1.28.3").statusCode());
        assertEquals(before + 2, sandbox.standIns().calls("registry"));

        HttpResponse<String> pushed = http.send(HttpRequest.newBuilder(URI.create(sandbox.adminUrl()
                + "/admin/images/posthog/posthog/release-1.30.0-unstable")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, pushed.statusCode(), pushed.body());
        assertEquals(Images.digest("posthog/posthog", "release-1.30.0-unstable"),
                tagOrNull("release-1.30.0-unstable").get("digest").asText());
    }

    private static JsonNode awaitTag(String tag) {
        return await().atMost(Duration.ofSeconds(10)).until(() -> tagOrNull(tag), Objects::nonNull);
    }

    private static JsonNode tagOrNull(String tag) {
        try {
            HttpResponse<String> r = get("/v2/repositories/posthog/posthog/tags/" + tag);
            return r.statusCode() == 200 ? json.readTree(r.body()) : null;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(sandbox.registry().url() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
