package dev.releasetrain.deploy;

import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.ReleaseEvent;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Test helpers: the sandbox's admin endpoint, a fabric8 client on the stand-in, results of a command. */
final class Sandboxes {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private Sandboxes() {
    }

    static String admin(String adminUrl, String method, String path) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(adminUrl + path))
                    .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            return r.body();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static KubernetesClient kubernetes(String url) {
        Config config = new ConfigBuilder(Config.empty()).withMasterUrl(url).withNamespace("posthog").build();
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    static List<String> podNames(String url) {
        try (KubernetesClient client = kubernetes(url)) {
            return client.pods().inNamespace("posthog").list().getItems().stream()
                    .map(p -> p.getMetadata().getName()).sorted().toList();
        }
    }

    static List<Pod> pods(String url) {
        try (KubernetesClient client = kubernetes(url)) {
            return client.pods().inNamespace("posthog").list().getItems();
        }
    }

    /** The terminal result (StepSucceeded or StepFailed) among a command's events. */
    static ReleaseEvent outcome(List<Envelope> events) {
        return events.stream().map(Envelope::data)
                .filter(d -> d instanceof ReleaseEvent.StepSucceeded || d instanceof ReleaseEvent.StepFailed)
                .findFirst().orElseThrow();
    }

    /** The envelope of the terminal result among a command's events (its time included). */
    static Envelope outcomeEnvelope(List<Envelope> events) {
        return events.stream()
                .filter(e -> e.data() instanceof ReleaseEvent.StepSucceeded || e.data() instanceof ReleaseEvent.StepFailed)
                .findFirst().orElseThrow();
    }

    static List<ReleaseEvent.StepProgress> progress(List<Envelope> events) {
        return events.stream().map(Envelope::data).filter(d -> d instanceof ReleaseEvent.StepProgress)
                .map(d -> (ReleaseEvent.StepProgress) d).toList();
    }
}
