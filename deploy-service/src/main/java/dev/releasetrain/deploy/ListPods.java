package dev.releasetrain.deploy;

import dev.releasetrain.worker.StepContext;
import dev.releasetrain.worker.StepHandler;
import dev.releasetrain.worker.StepOutcome;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code deploy.list-pods}: the pods of the release namespace. Outputs {@code namespace}, {@code pods}, {@code count}. */
@ApplicationScoped
public class ListPods implements StepHandler {

    @Inject
    KubernetesClient kubernetes;

    @ConfigProperty(name = "release-train.deploy.namespace", defaultValue = "posthog")
    String namespace;

    @Override
    public String stepId() {
        return "deploy.list-pods";
    }

    @Override
    public StepOutcome run(StepContext ctx) {
        List<String> pods;
        try {
            pods = kubernetes.pods().inNamespace(namespace).list().getItems().stream()
                    .map(Pod::getMetadata)
                    .map(m -> m.getName())
                    .sorted()
                    .toList();
        } catch (KubernetesClientException e) {
            // The client already retried 5xx answers with backoff; 401/403/404 need a person (credentials, RBAC).
            int code = e.getCode();
            boolean needsAPerson = code == 401 || code == 403 || code == 404;
            return StepOutcome.failed("listing pods in namespace " + namespace + " failed: HTTP " + code + ": "
                    + e.getMessage(), !needsAPerson);
        }
        Map<String, Object> outputs = new LinkedHashMap<>();
        outputs.put("namespace", namespace);
        outputs.put("pods", pods);
        outputs.put("count", pods.size());
        return StepOutcome.succeeded(outputs);
    }
}
