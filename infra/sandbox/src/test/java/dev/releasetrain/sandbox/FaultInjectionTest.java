package dev.releasetrain.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.slack.api.Slack;
import com.slack.api.SlackConfig;
import com.slack.api.methods.SlackApiException;
import com.slack.api.methods.response.chat.ChatPostMessageResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudfront.CloudFrontClient;
import software.amazon.awssdk.services.cloudfront.model.CloudFrontException;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The admin endpoint: injected faults (count, status, delay, filters) reach the real clients, calls are counted, bad input is 400. */
class FaultInjectionTest {

    @TempDir
    static Path workDir;
    static Sandbox sandbox;
    static Slack slack;
    static final HttpClient http = HttpClient.newHttpClient();
    static final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void start() {
        sandbox = Sandbox.start(workDir);
        SlackConfig config = new SlackConfig();
        config.setMethodsEndpointUrlPrefix(sandbox.slack().apiUrl());
        config.setStatsEnabled(false);
        slack = Slack.getInstance(config);
    }

    @AfterAll
    static void stop() throws Exception {
        if (slack != null) {
            slack.close();
        }
        if (sandbox != null) {
            sandbox.close();
        }
    }

    @AfterEach
    void clear() throws Exception {
        assertEquals(200, admin("DELETE", "/admin/faults").statusCode());
    }

    @Test
    void nextSlackCallFailsThenSucceeds() throws Exception {
        long before = calls("slack");
        HttpResponse<String> set = admin("POST", "/admin/faults/slack?count=1&status=503");
        assertEquals(200, set.statusCode(), set.body());
        assertEquals(1, json.readTree(set.body()).get("pendingFaults").asInt());

        SlackApiException e = assertThrows(SlackApiException.class, () -> slack.methods(sandbox.slack().token())
                .chatPostMessage(req -> req.channel("#releases").text("first try")));
        assertEquals(503, e.getResponse().code());

        ChatPostMessageResponse ok = slack.methods(sandbox.slack().token())
                .chatPostMessage(req -> req.channel("#releases").text("second try"));
        assertTrue(ok.isOk(), ok.getError());
        assertEquals(before + 2, calls("slack"));
        assertEquals(before + 2, sandbox.standIns().calls("slack"));
        assertEquals(1, sandbox.slack().messages("#releases").stream().filter(m -> m.text().endsWith(" try")).count(),
                "only the second try was posted");
    }

    @Test
    void rateLimitFaultCarriesRetryAfter() throws Exception {
        sandbox.standIns().failNext("slack", 1, 429);
        SlackApiException e = assertThrows(SlackApiException.class, () -> slack.methods(sandbox.slack().token())
                .authTest(req -> req));
        assertEquals(429, e.getResponse().code());
        assertEquals("1", e.getResponse().header("Retry-After"));
    }

    @Test
    void cloudFrontFaultsAreAwsErrors() throws Exception {
        try (CloudFrontClient cf = CloudFrontClient.builder()
                .endpointOverride(URI.create(sandbox.cloudFront().url()))
                .region(Region.AWS_GLOBAL)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(sandbox.options().awsAccessKeyId(), sandbox.options().awsSecretAccessKey())))
                .httpClient(UrlConnectionHttpClient.create())
                .build()) {
            // a non-retryable status reaches the caller
            sandbox.standIns().failNext("cloudfront", 1, 403);
            CloudFrontException e = assertThrows(CloudFrontException.class,
                    () -> cf.getDistribution(b -> b.id(sandbox.cloudFront().distributionId())));
            assertEquals(403, e.statusCode());
            assertEquals("AccessDenied", e.awsErrorDetails().errorCode());

            // a 503 is retried by the SDK: one fault, two calls, success
            long before = calls("cloudfront");
            admin("POST", "/admin/faults/cloudfront?count=1&status=503");
            assertEquals("Deployed", cf.getDistribution(b -> b.id(sandbox.cloudFront().distributionId())).distribution().status());
            assertEquals(before + 2, calls("cloudfront"));
        }
    }

    @Test
    void deleteClearsFaultsAndUnknownStandInsAre404() throws Exception {
        admin("POST", "/admin/faults/slack?count=5&status=500");
        admin("POST", "/admin/faults/kubernetes?count=2&status=500");
        assertEquals(200, admin("DELETE", "/admin/faults").statusCode());
        assertEquals(0, json.readTree(admin("GET", "/admin/calls/slack").body()).get("pendingFaults").asInt());
        assertEquals(0, sandbox.kubernetes().pendingFaults());
        assertTrue(slack.methods(sandbox.slack().token()).authTest(req -> req).isOk());

        assertEquals(404, admin("POST", "/admin/faults/nosuch?count=1&status=500").statusCode());
        assertEquals(404, admin("GET", "/admin/calls/nosuch").statusCode());
        assertEquals(400, admin("POST", "/admin/faults/slack?count=1&status=99").statusCode());
    }

    @Test
    void endpointsArePublishedAsProperties() throws Exception {
        JsonNode endpoints = json.readTree(admin("GET", "/admin/endpoints").body());
        assertEquals(sandbox.slack().apiUrl(), endpoints.get("release-train.slack.api-url").asText());
        assertEquals(sandbox.git().url("posthog"), endpoints.get("release-train.git.repository-url").asText());
        assertEquals(sandbox.kubernetes().url(), endpoints.get("release-train.deploy.kubernetes-url").asText());
        assertEquals(sandbox.cloudFront().url(), endpoints.get("release-train.cdn.endpoint").asText());
        assertEquals("E2RELEASETRAIN1", endpoints.get("release-train.cdn.distribution-id").asText());

        Path file = sandbox.writeProperties();
        Properties props = new Properties();
        try (var in = Files.newBufferedReader(file)) {
            props.load(in);
        }
        assertEquals(sandbox.adminUrl(), props.getProperty("sandbox.admin-url"));
    }

    @Test
    void slackRefusalsAnswerLikeSlackOkFalse() throws Exception {
        admin("POST", "/admin/faults/slack?status=400&method=POST&path=/api/chat.postMessage");
        ChatPostMessageResponse refused = slack.methods(sandbox.slack().token())
                .chatPostMessage(req -> req.channel("#releases").text("refused"));
        assertFalse(refused.isOk());
        assertEquals("invalid_arguments", refused.getError());
        assertTrue(slack.methods(sandbox.slack().token()).chatPostMessage(req -> req.channel("#releases").text("served")).isOk());
    }

    @Test
    void countConsumesExactlyThatManyCalls() throws Exception {
        HttpResponse<String> set = admin("POST", "/admin/faults/playground?count=2&status=503");
        assertEquals(2, json.readTree(set.body()).get("pendingFaults").asInt());
        assertEquals(503, get(sandbox.playground().url() + "/api/instance_status").statusCode());
        assertEquals(1, json.readTree(admin("GET", "/admin/calls/playground").body()).get("pendingFaults").asInt());
        assertEquals(503, get(sandbox.playground().url() + "/api/instance_status").statusCode());
        assertNotEquals(503, get(sandbox.playground().url() + "/api/instance_status").statusCode());
        assertEquals(0, json.readTree(admin("GET", "/admin/calls/playground").body()).get("pendingFaults").asInt());
    }

    @Test
    void delayOnlyServesTheCallLate() throws Exception {
        admin("POST", "/admin/faults/registry?delayMs=600");
        long t0 = System.nanoTime();
        HttpResponse<String> slow = get(sandbox.registry().url() + "/v2/namespaces/posthog/repositories/posthog/tags/latest");
        long tookMs = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(tookMs >= 600, "took " + tookMs + " ms");
        long t1 = System.nanoTime();
        HttpResponse<String> fast = get(sandbox.registry().url() + "/v2/namespaces/posthog/repositories/posthog/tags/latest");
        assertTrue((System.nanoTime() - t1) / 1_000_000 < 600);
        assertEquals(fast.statusCode(), slow.statusCode(), "the delayed call is served as usual");
    }

    @Test
    void delayThenStatus() throws Exception {
        admin("POST", "/admin/faults/github?delayMs=300&status=502");
        long t0 = System.nanoTime();
        assertEquals(502, get(sandbox.github().url() + "/repos/PostHog/posthog").statusCode());
        assertTrue((System.nanoTime() - t0) / 1_000_000 >= 300);
    }

    @Test
    void filtersAimTheFaultAtOneCall() throws Exception {
        // method and path prefix: a GET elsewhere and a GET of the path are not hit, the POST is
        admin("POST", "/admin/faults/github?status=403&method=POST&path=/repos/PostHog/posthog/pulls");
        assertEquals(200, get(sandbox.github().url() + "/repos/PostHog/posthog").statusCode());
        assertNotEquals(403, get(sandbox.github().url() + "/repos/PostHog/posthog/pulls").statusCode());
        assertEquals(1, sandbox.standIns().get("github").orElseThrow().pendingFaults());
        HttpResponse<String> post = send("POST", sandbox.github().url() + "/repos/PostHog/posthog/pulls", "{}");
        assertEquals(403, post.statusCode(), post.body());
        assertEquals(0, sandbox.standIns().get("github").orElseThrow().pendingFaults());

        // body substring (URL-decoded form bodies too): only the message naming the step fails
        admin("POST", "/admin/faults/slack?status=400&body=" + enc("\"step\":\"notify.announce-freeze\""));
        assertTrue(slack.methods(sandbox.slack().token()).chatPostMessage(req -> req.channel("#releases").text("other step")
                .metadata(new com.slack.api.model.Message.Metadata("release-step",
                        java.util.Map.of("step", "notify.announce-release")))).isOk());
        ChatPostMessageResponse hit = slack.methods(sandbox.slack().token()).chatPostMessage(req -> req.channel("#releases")
                .text("the step").metadata(new com.slack.api.model.Message.Metadata("release-step",
                        java.util.Map.of("step", "notify.announce-freeze"))));
        assertEquals("invalid_arguments", hit.getError());
        // the handler still reads the body of a call that was matched against a body filter and not hit
        assertTrue(sandbox.slack().messages("#releases").stream().anyMatch(m -> m.text().equals("other step")));

        // path substring (query included) on the Kubernetes API server
        admin("POST", "/admin/faults/kubernetes?status=403&method=GET&pathContains=" + enc("/namespaces/posthog/pods"));
        assertEquals(200, get(sandbox.kubernetes().url() + "/api/v1/namespaces/posthog/services").statusCode());
        assertEquals(403, get(sandbox.kubernetes().url() + "/api/v1/namespaces/posthog/pods?limit=10").statusCode());
        assertEquals(200, get(sandbox.kubernetes().url() + "/api/v1/namespaces/posthog/pods").statusCode());

        // an exact path ($): the same path with a query is not hit
        admin("POST", "/admin/faults/kubernetes?status=403&path=" + enc("/api/v1/namespaces/posthog/pods$"));
        assertEquals(200, get(sandbox.kubernetes().url() + "/api/v1/namespaces/posthog/pods?labelSelector=app").statusCode());
        assertEquals(403, get(sandbox.kubernetes().url() + "/api/v1/namespaces/posthog/pods").statusCode());
    }

    @Test
    void kubernetesDelayAndCallCounting() throws Exception {
        assertEquals(200, admin("DELETE", "/admin/calls/kubernetes").statusCode());
        admin("POST", "/admin/faults/kubernetes?delayMs=300&path=/api/v1/namespaces");
        long t0 = System.nanoTime();
        assertEquals(200, get(sandbox.kubernetes().url() + "/api/v1/namespaces/posthog/pods").statusCode());
        assertTrue((System.nanoTime() - t0) / 1_000_000 >= 300);
        assertEquals(200, get(sandbox.kubernetes().url() + "/version").statusCode());
        assertEquals(2, calls("kubernetes"));
    }

    @Test
    void badAdminInputIs400NamingTheParameter() throws Exception {
        assertBad("/admin/faults/slack?count=abc", "count");
        assertBad("/admin/faults/slack?count=0", "count");
        assertBad("/admin/faults/slack?status=99", "status");
        assertBad("/admin/faults/slack?status=x", "status");
        assertBad("/admin/faults/slack?delayMs=-5", "delayMs");
        assertBad("/admin/faults/slack?delayMs=soon", "delayMs");
        assertBad("/admin/faults/slack?method=" + enc("GET POST"), "method");
        assertBad("/admin/faults/slack?path=api", "path");
        assertBad("/admin/faults/slack?stauts=500", "stauts");
        assertEquals(0, sandbox.standIns().get("slack").orElseThrow().pendingFaults(), "a refused request queues nothing");
    }

    private static void assertBad(String path, String parameter) throws Exception {
        HttpResponse<String> r = admin("POST", path);
        assertEquals(400, r.statusCode(), path + " -> " + r.body());
        String error = json.readTree(r.body()).get("error").asText();
        assertTrue(error.contains(parameter), path + " -> " + error);
    }

    private static String enc(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return send("GET", url, null);
    }

    private static HttpResponse<String> send(String method, String url, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + sandbox.github().token())
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static long calls(String standIn) throws Exception {
        HttpResponse<String> r = admin("GET", "/admin/calls/" + standIn);
        assertEquals(200, r.statusCode(), r.body());
        return json.readTree(r.body()).get("calls").asLong();
    }

    private static HttpResponse<String> admin(String method, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(sandbox.adminUrl() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }
}
