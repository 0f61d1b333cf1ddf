package dev.releasetrain.deploy;

import dev.releasetrain.worker.plan.PlanAccess;
import dev.releasetrain.worker.plan.PlanStep;
import jakarta.inject.Inject;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.List;

/**
 * {@code POST /plan}: the plan of a release's deploy steps ({@link DeployPlanner}), for the coordinator's
 * {@code POST /releases/plan}. Read-only: no Helm install or upgrade, no Kubernetes write, no lease taken. Only with the bearer token
 * {@code release-train.plan.token} ({@link PlanAccess}).
 */
@Path("/plan")
@PlanAccess
public class PlanResource {

    public record PlanAnswer(List<DeployPlanner.StepPlan> steps) {
    }

    @Inject
    DeployPlanner planner;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public PlanAnswer plan(PlanStep.Request request) {
        if (request == null || request.steps() == null) {
            throw new BadRequestException("the body must be {\"steps\": [{\"step\", \"handler\", \"params\"}, ..]}");
        }
        return new PlanAnswer(planner.plan(request.steps()));
    }
}
