package dev.releasetrain.worker.plan;

import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;

import java.util.List;

/**
 * {@code POST /plan}: the plan of a release's steps of this service, for the coordinator's
 * {@code POST /releases/plan}, worked out by the service's {@link StepPlanner}. Read-only: the planner writes to
 * nothing. Only with the bearer token {@code release-train.plan.token} ({@link PlanAccess}); a service without a
 * planner answers 404.
 */
@Path("/plan")
@PlanAccess
public class PlanResource {

    /** The answer: the service's plan of each step, in the request's order. */
    public record PlanAnswer(List<?> steps) {
    }

    @Inject
    Instance<StepPlanner> planner;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public PlanAnswer plan(PlanStep.Request request) {
        if (request == null || request.steps() == null) {
            throw refused(400, "Bad Request", "the body must be {\"steps\": [{\"step\", \"handler\", \"params\"}, ..]}");
        }
        for (int i = 0; i < request.steps().size(); i++) {
            PlanStep s = request.steps().get(i);
            if (s == null || s.step() == null || s.step().isBlank() || s.handler() == null || s.handler().isBlank()) {
                throw refused(400, "Bad Request", "steps[" + i + "] must name its step and its handler");
            }
        }
        if (!planner.isResolvable()) {
            throw refused(404, "Not Found", "this service plans no steps");
        }
        return new PlanAnswer(planner.get().plan(request.steps()));
    }

    private static WebApplicationException refused(int status, String error, String message) {
        return new WebApplicationException(message, PlanAccessFilter.error(status, error, message));
    }
}
