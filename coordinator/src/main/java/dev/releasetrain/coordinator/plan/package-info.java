/**
 * The plan of a release before it starts: its dates, owner, previous version, and each step with its resolved
 * parameters and what it would do, asked of its service's read-only {@code POST /plan} ({@link
 * dev.releasetrain.coordinator.plan.PlanClient}). Nothing is appended.
 */
package dev.releasetrain.coordinator.plan;
