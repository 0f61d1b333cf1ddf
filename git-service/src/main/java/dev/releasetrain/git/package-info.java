/**
 * git-service: the git and GitHub steps of the runbook, one {@link dev.releasetrain.worker.StepHandler}
 * per step id, on JGit (repositories) and github-api (pull requests, labels). The command consumer, the
 * results and the dedupe come from worker-runtime.
 */
package dev.releasetrain.git;
