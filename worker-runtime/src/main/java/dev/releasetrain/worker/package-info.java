/**
 * What every Release Train service shares: the consumer of its command topic, dispatch of a
 * {@code StepRequested} to the {@link dev.releasetrain.worker.StepHandler} registered for its step id,
 * the StepStarted / StepProgress / StepSucceeded / StepFailed results, commandId dedupe, and the
 * dead-lettering of messages that are not commands this service can run.
 */
package dev.releasetrain.worker;
