package dev.releasetrain.git;

import dev.releasetrain.worker.plan.PlanAccess;
import jakarta.inject.Inject;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.List;

/**
 * {@code POST /plan}: the plan of a release's git steps ({@link ReleasePlanner}), for the coordinator's
 * {@code POST /releases/plan}. Read-only: it writes to no remote and to nothing on GitHub. Only with the bearer token
 * {@code release-train.plan.token} ({@link PlanAccess}).
 */
@Path("/plan")
@PlanAccess
public class PlanResource {

    /** The git steps in the runbook's order, each with its params rendered as its command would carry them. */
    public record PlanRequest(List<ReleasePlanner.Step> steps) {
    }

    public record PlanAnswer(List<ReleasePlanner.StepPlan> steps) {
    }

    @Inject
    ReleasePlanner planner;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public PlanAnswer plan(PlanRequest request) {
        if (request == null || request.steps() == null) {
            throw new BadRequestException("the body must be {\"steps\": [{\"step\", \"handler\", \"params\"}, ..]}");
        }
        return new PlanAnswer(planner.plan(request.steps()));
    }
}
