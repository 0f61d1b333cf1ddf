package dev.releasetrain.worker;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Who this worker is: the service ({@code git-service}), its CloudEvents source
 * ({@code /release-train/git-service}) and this instance ({@code git-service@host}, the worker of StepStarted and
 * of results; {@code release-train.worker.instance} when set).
 */
@Singleton
public class WorkerIdentity {
    private final String service;
    private final String instance;

    @Inject
    WorkerIdentity(@ConfigProperty(name = "release-train.worker.service") String service,
                   @ConfigProperty(name = "release-train.worker.instance") java.util.Optional<String> instance) {
        this.service = service;
        // several instances on one host name themselves apart (the local stack's git-service-2)
        this.instance = instance.filter(i -> !i.isBlank()).orElseGet(() -> service + "@" + hostName());
    }

    public WorkerIdentity(String service, String host) {
        this.service = service;
        this.instance = service + "@" + host;
    }

    public String service() {
        return service;
    }

    public String source() {
        return "/release-train/" + service;
    }

    public String instance() {
        return instance;
    }

    private static String hostName() {
        String fromEnv = System.getenv("HOSTNAME"); // the pod name on Kubernetes
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown-host";
        }
    }
}
