/**
 * notify-service: the Slack steps of the runbook (channel messages, the release post, the newsletter
 * hand-off), one {@link dev.releasetrain.worker.StepHandler} per step id, on slack-api-client.
 */
package dev.releasetrain.notify;
