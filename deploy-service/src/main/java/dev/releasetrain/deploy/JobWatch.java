package dev.releasetrain.deploy;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.util.ArrayList;
import java.util.List;

/**
 * What Helm's {@code --wait-for-jobs} waits for, which helm-java cannot ask for: the Jobs of a revision (named in
 * its rendered manifest) each reaching its completions. A Job with a {@code Failed} condition or more failed pods
 * than its {@code backoffLimit} has failed; a Job already gone (cleaned up by {@code ttlSecondsAfterFinished})
 * counts as done.
 */
final class JobWatch {

    /**
     * One look at the Jobs.
     *
     * @param failure why the first failed Job failed, or null when none has
     * @param pending the Jobs still running
     */
    record Look(String failure, List<String> pending) {
    }

    private final KubernetesClient client;
    private final String namespace;
    private final String release;

    JobWatch(KubernetesClient client, String namespace, String release) {
        this.client = client;
        this.namespace = namespace;
        this.release = release;
    }

    /** Looks once at the named Jobs; an API error is a step failure (retryable when the cluster is unreachable). */
    Look look(List<String> names) {
        List<String> pending = new ArrayList<>();
        for (String name : names) {
            Job job;
            try {
                job = client.batch().v1().jobs().inNamespace(namespace).withName(name).get();
            } catch (KubernetesClientException e) {
                throw HelmFailures.kubernetes("reading job " + namespace + "/" + name + " of release " + release, e);
            }
            if (job == null) {
                continue; // completed and cleaned up (ttlSecondsAfterFinished)
            }
            int completions = job.getSpec().getCompletions() == null ? 1 : job.getSpec().getCompletions();
            int backoff = job.getSpec().getBackoffLimit() == null ? 6 : job.getSpec().getBackoffLimit();
            var status = job.getStatus();
            int succeeded = status == null || status.getSucceeded() == null ? 0 : status.getSucceeded();
            int failed = status == null || status.getFailed() == null ? 0 : status.getFailed();
            boolean failedCondition = status != null && status.getConditions() != null && status.getConditions().stream()
                    .anyMatch(c -> "Failed".equals(c.getType()) && "True".equals(c.getStatus()));
            if (failedCondition || failed > backoff) {
                String why = status == null || status.getConditions() == null ? "" : status.getConditions().stream()
                        .filter(c -> "Failed".equals(c.getType())).map(c -> ": " + c.getReason()
                                + (c.getMessage() == null ? "" : " (" + c.getMessage() + ")")).findFirst().orElse("");
                return new Look("job " + namespace + "/" + name + " of release " + release + " failed (" + failed
                        + " failed pods)" + why, List.of());
            }
            if (succeeded < completions) {
                pending.add(name);
            }
        }
        return new Look(null, List.copyOf(pending));
    }
}
