/**
 * deploy-service: image-registry waits, the Helm upgrade of the playground, pod and version checks, one
 * {@link dev.releasetrain.worker.StepHandler} per step id; Kubernetes through fabric8's client.
 */
package dev.releasetrain.deploy;
