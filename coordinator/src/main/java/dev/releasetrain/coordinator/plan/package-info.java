/**
 * The plan of a release before it starts: its dates, owner, previous version, and each step with its resolved
 * parameters and, for the git steps, the changes they would make (asked of the git service). Nothing is appended.
 */
package dev.releasetrain.coordinator.plan;
