package dev.releasetrain.deploy;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The one fabric8 {@link KubernetesClient} of the service: against {@code release-train.deploy.kubernetes-url}
 * when set (an API server reached without credentials, certificates trusted: the local stand-in), else from
 * the kubeconfig file {@code release-train.deploy.kubeconfig} (the one Helm uses), otherwise from fabric8's usual
 * discovery (kubeconfig, or the pod's service account in a cluster). Closed at shutdown.
 */
@ApplicationScoped
public class KubernetesClients {

    @ConfigProperty(name = "release-train.deploy.kubernetes-url")
    Optional<String> kubernetesUrl;

    @ConfigProperty(name = "release-train.deploy.kubeconfig")
    Optional<String> kubeconfig;

    @Produces
    @Singleton
    KubernetesClient kubernetesClient() {
        if (kubernetesUrl.isPresent() && !kubernetesUrl.get().isBlank()) {
            Config config = new ConfigBuilder(Config.empty())
                    .withMasterUrl(kubernetesUrl.get())
                    .withTrustCerts(true)
                    .build();
            return new KubernetesClientBuilder().withConfig(config).build();
        }
        if (kubeconfig.isPresent() && !kubeconfig.get().isBlank()) {
            try {
                return new KubernetesClientBuilder()
                        .withConfig(Config.fromKubeconfig(Files.readString(Path.of(kubeconfig.get())))).build();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read kubeconfig " + kubeconfig.get(), e);
            }
        }
        return new KubernetesClientBuilder().build();
    }

    void close(@Disposes KubernetesClient client) {
        client.close();
    }
}
