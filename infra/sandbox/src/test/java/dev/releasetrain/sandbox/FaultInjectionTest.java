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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The admin endpoint: injected faults reach the real clients, calls are counted. */
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
        config.setMethodsEndpointUrlPrefix(sandbox.slackApiUrl());
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

        SlackApiException e = assertThrows(SlackApiException.class, () -> slack.methods(sandbox.slackToken())
                .chatPostMessage(req -> req.channel("#releases").text("first try")));
        assertEquals(503, e.getResponse().code());

        ChatPostMessageResponse ok = slack.methods(sandbox.slackToken())
                .chatPostMessage(req -> req.channel("#releases").text("second try"));
        assertTrue(ok.isOk(), ok.getError());
        assertEquals(before + 2, calls("slack"));
        assertEquals(before + 2, sandbox.calls("slack"));
        assertEquals(1, sandbox.slackMessages("#releases").size());
    }

    @Test
    void rateLimitFaultCarriesRetryAfter() throws Exception {
        sandbox.failNext("slack", 1, 429);
        SlackApiException e = assertThrows(SlackApiException.class, () -> slack.methods(sandbox.slackToken())
                .authTest(req -> req));
        assertEquals(429, e.getResponse().code());
        assertEquals("1", e.getResponse().header("Retry-After"));
    }

    @Test
    void cloudFrontFaultsAreAwsErrors() throws Exception {
        try (CloudFrontClient cf = CloudFrontClient.builder()
                .endpointOverride(URI.create(sandbox.cloudFrontEndpoint()))
                .region(Region.AWS_GLOBAL)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(sandbox.awsAccessKeyId(), sandbox.awsSecretAccessKey())))
                .httpClient(UrlConnectionHttpClient.create())
                .build()) {
            // a non-retryable status reaches the caller
            sandbox.failNext("cloudfront", 1, 403);
            CloudFrontException e = assertThrows(CloudFrontException.class,
                    () -> cf.getDistribution(b -> b.id(sandbox.distributionId())));
            assertEquals(403, e.statusCode());
            assertEquals("AccessDenied", e.awsErrorDetails().errorCode());

            // a 503 is retried by the SDK: one fault, two calls, success
            long before = calls("cloudfront");
            admin("POST", "/admin/faults/cloudfront?count=1&status=503");
            assertEquals("Deployed", cf.getDistribution(b -> b.id(sandbox.distributionId())).distribution().status());
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
        assertTrue(slack.methods(sandbox.slackToken()).authTest(req -> req).isOk());

        assertEquals(404, admin("POST", "/admin/faults/nosuch?count=1&status=500").statusCode());
        assertEquals(404, admin("GET", "/admin/calls/nosuch").statusCode());
        assertEquals(400, admin("POST", "/admin/faults/slack?count=1&status=99").statusCode());
    }

    @Test
    void endpointsArePublishedAsProperties() throws Exception {
        JsonNode endpoints = json.readTree(admin("GET", "/admin/endpoints").body());
        assertEquals(sandbox.slackApiUrl(), endpoints.get("release-train.slack.api-url").asText());
        assertEquals(sandbox.gitRemoteUrl("posthog"), endpoints.get("release-train.git.repository-url").asText());
        assertEquals(sandbox.kubernetesUrl(), endpoints.get("release-train.deploy.kubernetes-url").asText());
        assertEquals(sandbox.cloudFrontEndpoint(), endpoints.get("release-train.cdn.endpoint").asText());
        assertEquals("E2RELEASETRAIN1", endpoints.get("release-train.cdn.distribution-id").asText());

        Path file = sandbox.writeProperties();
        Properties props = new Properties();
        try (var in = Files.newBufferedReader(file)) {
            props.load(in);
        }
        assertEquals(sandbox.adminUrl(), props.getProperty("sandbox.admin-url"));
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
