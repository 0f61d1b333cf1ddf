package dev.releasetrain.coordinator.runbook;

/**
 * A human gate. {@code approvers} is {@code approver} (anyone with the approver role) or
 * {@code owner} (the release owner); {@code notTheStarter} refuses the person who started the
 * release; {@code opensAt} names a release variable holding the time at which the calendar approves
 * the gate by itself (e.g. {@code releaseTime}).
 */
public record Gate(String approvers, boolean notTheStarter, String opensAt) {
    public static final String APPROVER = "approver";
    public static final String OWNER = "owner";
}
