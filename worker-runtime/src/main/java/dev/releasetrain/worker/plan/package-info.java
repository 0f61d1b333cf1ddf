/**
 * What every service's read-only {@code POST /plan} shares: the guard of the endpoint ({@link PlanAccess},
 * {@code release-train.plan.token}) and the steps as the coordinator sends them ({@link PlanStep}), with the
 * outputs planned for earlier steps of the same request filled in ({@link PlanStep#context}).
 */
package dev.releasetrain.worker.plan;
