package dev.releasetrain.deploy;

import dev.releasetrain.worker.SecretValues;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The credentials the service's Kubernetes client was configured with (from the kubeconfig file, or a pod's service
 * account token): not configuration properties, so the redaction of reasons, outputs and logs learns them here.
 */
@ApplicationScoped
public class KubernetesSecrets implements SecretValues {

    @Inject
    KubernetesClient kubernetes;

    @Override
    public Collection<String> values() {
        return of(kubernetes.getConfiguration());
    }

    /** The bearer tokens, password and client key of {@code config}. */
    static List<String> of(Config config) {
        List<String> values = new ArrayList<>();
        add(values, config.getOauthToken());
        add(values, config.getAutoOAuthToken());
        add(values, config.getPassword());
        add(values, config.getClientKeyData());
        return values;
    }

    private static void add(List<String> values, String value) {
        if (value != null && !value.isBlank()) {
            values.add(value);
        }
    }
}
