/**
 * cdn-service: the CloudFront steps of the runbook (reading the distribution, invalidations), one
 * {@link dev.releasetrain.worker.StepHandler} per step id, on aws-sdk-java-v2.
 */
package dev.releasetrain.cdn;
