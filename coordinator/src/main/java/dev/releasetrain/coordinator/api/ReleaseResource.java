package dev.releasetrain.coordinator.api;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.releasetrain.coordinator.live.EventStreams;
import dev.releasetrain.coordinator.log.ReleaseLog;
import dev.releasetrain.coordinator.plan.ReleasePlans;
import dev.releasetrain.coordinator.release.Decision;
import dev.releasetrain.coordinator.release.ReleaseState;
import dev.releasetrain.coordinator.release.Releases;
import dev.releasetrain.coordinator.runbook.StepDefinition;
import dev.releasetrain.coordinator.security.Roles;
import dev.releasetrain.coordinator.timeline.Timeline;
import io.smallrye.common.annotation.Blocking;
import dev.releasetrain.coordinator.security.CurrentUser;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** The coordinator's REST API: start releases, read them, follow them live, retry failed steps. */
@Path("/releases")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class ReleaseResource {
    static final Pattern VERSION = Pattern.compile("(0|[1-9]\\d{0,5})\\.(0|[1-9]\\d{0,5})\\.(0|[1-9]\\d{0,5})");

    @Inject
    Releases releases;
    @Inject
    ReleasePlans plans;
    @Inject
    ReleaseLog log;
    @Inject
    EventStreams streams;
    @Inject
    CurrentUser currentUser;
    @Inject
    ReleaseDates dates;

    /** Body of POST /releases: every field optional ({} starts the next minor release). */
    public record StartRequest(String version, String kind, String runbook) {
    }

    /** Body of POST /releases/{version}/steps/{step}/retry (optional): why, and edited parameters. */
    public record RetryRequest(String reason, Map<String, String> params) {
    }

    /** Body of POST /releases/{version}/gates/{gate}/approve (optional). */
    public record ApproveRequest(String note, String evidence) {
    }

    /** Body of POST /releases/{version}/cancel (optional). */
    public record CancelRequest(String reason) {
    }

    /**
     * A step by its runbook node id; {@code action} the handler it reuses ({@code uses:}), absent when its own;
     * {@code editable} the parameters a retry may change, absent when none. A gate waiting again gives in
     * {@code reason} why its approval no longer holds.
     */
    public record StepView(String step, String service, String status, int attempt, String reason,
                           Map<String, Object> outputs,
                           @JsonInclude(JsonInclude.Include.NON_NULL) String action,
                           @JsonInclude(JsonInclude.Include.NON_EMPTY) java.util.Set<String> editable) {
    }

    /** A row of {@code GET /releases}; {@code currentSteps} are running, waiting or failed. */
    public record ReleaseSummary(String version, String status, String kind, String runbook, String failedStep,
                                 String startedBy, java.time.Instant startedAt, java.time.Instant endedAt,
                                 List<String> currentSteps) {
    }

    public record ReleaseView(String version, String kind, String status, String runbook, String failedStep, String reason,
                              Map<String, String> variables, long events, List<StepView> steps) {
        static ReleaseView of(ReleaseState s) {
            List<StepView> steps = new ArrayList<>();
            s.steps().values().forEach(st -> steps.add(new StepView(st.id(), st.service(),
                    st.status().label(), st.attempt(), st.reason() == null ? st.voided() : st.reason(), st.outputs(),
                    s.runbook().step(st.id()).map(StepDefinition::uses).orElse(null),
                    s.runbook().step(st.id()).map(StepDefinition::editable).orElse(java.util.Set.of()))));
            return new ReleaseView(s.version(), s.kind(), s.status().name().toLowerCase(), s.runbook().name(), s.failedStep(),
                    s.reason(), s.variables(), s.lastSeq(), steps);
        }
    }

    @Operation(summary = "Start a release", description = "{} starts the next minor after the newest release; a version, a kind (minor or patch) and a runbook may be given.")
    @APIResponse(responseCode = "202", description = "Started; Location names the release", content = @Content(schema = @Schema(implementation = ReleaseView.class)))
    @APIResponse(responseCode = "400", description = "Malformed body, a version not greater than the released ones, a patch of a line with no completed release, or a runbook of another kind")
    @APIResponse(responseCode = "409", description = "The version exists")
    @APIResponse(responseCode = "413", description = "The body is larger than the limit")
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.RELEASE_MANAGER)
    public Response start(StartRequest body, @Context UriInfo uri) {
        if (body == null) {
            throw ApiError.of(Response.Status.BAD_REQUEST,
                    "the body must be JSON like {\"version\": \"1.29.0\"} or {} for the next minor release");
        }
        if (body.version() != null) {
            requireVersion("version", body.version());
        }
        InputRules.line("kind", body.kind(), InputRules.MAX_NAME);
        InputRules.line("runbook", body.runbook(), InputRules.MAX_NAME);
        Releases.Outcome outcome = releases.start(body.version(), body.kind(), body.runbook(), currentUser.name());
        refuseIfRejected(outcome);
        String version = outcome.appended().get(0).releaseId();
        URI location = uri.getBaseUriBuilder().path("releases").path(version).build();
        ReleaseState started = releases.cachedState(version).or(() -> releases.state(version)).orElseThrow();
        return Response.accepted(ReleaseView.of(started)).location(location).build();
    }

    /**
     * The plan of the release {@code POST /releases} with this body would start, with no effect: nothing is
     * appended, no command sent, each service asked only for its read-only plan. Refused as the start would be.
     */
    @Operation(summary = "Plan a release", description = "What POST /releases with this body would do, with no effect: dates, owner, previous version, every step with its resolved parameters, and each service's read-only plan of its steps: git (diffs, branches, tags, PRs, cherry-picks), notify (the release post's markdown, the Slack messages), cdn (the invalidation paths), deploy (images, chart, revision, the playground's holder).")
    @APIResponse(responseCode = "200", description = "The plan", content = @Content(schema = @Schema(implementation = ReleasePlans.Plan.class)))
    @APIResponse(responseCode = "400", description = "Malformed body, a version not greater than the released ones, a patch of a line with no completed release, or a runbook of another kind")
    @APIResponse(responseCode = "409", description = "The version exists")
    @APIResponse(responseCode = "413", description = "The body is larger than the limit")
    @POST
    @Path("/plan")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.RELEASE_MANAGER)
    public ReleasePlans.Plan plan(StartRequest body) {
        StartRequest b = body == null ? new StartRequest(null, null, null) : body;
        if (b.version() != null) {
            requireVersion("version", b.version());
        }
        InputRules.line("kind", b.kind(), InputRules.MAX_NAME);
        InputRules.line("runbook", b.runbook(), InputRules.MAX_NAME);
        ReleasePlans.Result result = plans.plan(b.version(), b.kind(), b.runbook(), currentUser.name());
        if (result.refusal() != null) {
            refuseIfRejected(result.refusal());
        }
        return result.plan();
    }

    @Operation(summary = "List releases", description = "Every release, newest first.")
    @APIResponse(responseCode = "200", description = "The releases", content = @Content(schema = @Schema(implementation = ReleaseSummary.class, type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.ARRAY)))
    @GET
    @RolesAllowed(Roles.VIEWER)
    public List<ReleaseSummary> list() {
        List<ReleaseState> states = new ArrayList<>();
        for (String id : log.releaseIds()) {
            releases.state(id).ifPresent(states::add);
        }
        List<ReleaseDates.At> wanted = new ArrayList<>();
        states.forEach(s -> {
            wanted.add(new ReleaseDates.At(s.releaseId(), 1));
            if (s.finished()) {
                wanted.add(new ReleaseDates.At(s.releaseId(), s.lastSeq()));
            }
        });
        Map<ReleaseDates.At, java.time.Instant> times = dates.of(wanted);
        List<ReleaseSummary> out = new ArrayList<>();
        for (ReleaseState s : states) {
            out.add(new ReleaseSummary(s.version(), s.status().name().toLowerCase(), s.kind(), s.runbook().name(),
                    s.failedStep(), s.startedBy(), times.get(new ReleaseDates.At(s.releaseId(), 1)),
                    s.finished() ? times.get(new ReleaseDates.At(s.releaseId(), s.lastSeq())) : null,
                    s.steps().values().stream()
                            .filter(st -> st.status().inFlight() || st.status().failed()
                                    || st.status() == ReleaseState.StepStatus.AWAITING_APPROVAL
                                    || st.status() == ReleaseState.StepStatus.RETRY_SCHEDULED)
                            .map(ReleaseState.StepState::id).toList()));
        }
        return out;
    }

    @Operation(summary = "A release and each of its steps")
    @APIResponse(responseCode = "200", description = "The release", content = @Content(schema = @Schema(implementation = ReleaseView.class)))
    @APIResponse(responseCode = "400", description = "Not a version")
    @APIResponse(responseCode = "404", description = "No such release")
    @GET
    @Path("/{version}")
    @RolesAllowed(Roles.VIEWER)
    public ReleaseView get(@PathParam("version") String version) {
        return ReleaseView.of(existing(version));
    }

    @Operation(summary = "The release's timeline", description = "Per step, each attempt with its requested, started and ended times, queue and run time; the gates; the critical path.")
    @APIResponse(responseCode = "200", description = "The timeline", content = @Content(schema = @Schema(implementation = Timeline.class)))
    @APIResponse(responseCode = "400", description = "Not a version")
    @APIResponse(responseCode = "404", description = "No such release")
    @GET
    @Path("/{version}/timeline")
    @RolesAllowed(Roles.VIEWER)
    public Timeline timeline(@PathParam("version") String version) {
        existing(version);
        return Timeline.of(version, log.read(version));
    }

    @Operation(summary = "Follow the release live (Server-Sent Events)", description = "One SSE event per event of the release log; its id is the event's position, and Last-Event-ID resumes right after it. The stream of a completed or cancelled release ends after its last event.")
    @APIResponse(responseCode = "200", description = "The event stream", content = @Content(mediaType = MediaType.SERVER_SENT_EVENTS, schema = @Schema(type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.STRING)))
    @APIResponse(responseCode = "400", description = "Not a version, or a Last-Event-ID that is not a position")
    @APIResponse(responseCode = "404", description = "No such release")
    @APIResponse(responseCode = "429", description = "Too many open streams for the caller or in all")
    @GET
    @Path("/{version}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RolesAllowed(Roles.VIEWER)
    public void events(@PathParam("version") String version, @HeaderParam("Last-Event-ID") String lastEventId,
                       @Context SseEventSink sink, @Context Sse sse) {
        long after = lastEventId(lastEventId);
        existing(version);
        streams.follow(version, after, currentUser.name(), sink, sse);
    }

    @Operation(summary = "Retry a failed step", description = "A new attempt of the step; edited params replace the step's own (only those the runbook marks editable).")
    @APIResponse(responseCode = "202", description = "Retrying", content = @Content(schema = @Schema(implementation = ReleaseView.class)))
    @APIResponse(responseCode = "400", description = "Malformed body or a parameter that may not be edited")
    @APIResponse(responseCode = "404", description = "No such release or step")
    @APIResponse(responseCode = "409", description = "The step has not failed")
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Path("/{version}/steps/{step}/retry")
    @RolesAllowed(Roles.RELEASE_MANAGER)
    public Response retry(@PathParam("version") String version, @PathParam("step") String step,
                          RetryRequest body) {
        requireVersion("version", version);
        requireName("step", step);
        String reason = body == null ? null : InputRules.text("reason", body.reason(), InputRules.MAX_TEXT);
        Map<String, String> params = body == null ? null : body.params();
        InputRules.params(params);
        ReleaseState state = existing(version);
        if (params != null && !params.isEmpty()) {
            state.runbook().step(step).ifPresent(definition -> EditableParams.check(definition, params));
        }
        Releases.Outcome outcome = releases.retry(version, step, currentUser.name(), reason, params);
        refuseIfRejected(outcome);
        return Response.accepted(ReleaseView.of(releases.state(version).orElseThrow())).build();
    }

    @Operation(summary = "Approve a waiting gate", description = "break-the-release: an approver who did not start the release; release-day before its time: the release owner.")
    @APIResponse(responseCode = "202", description = "Approved", content = @Content(schema = @Schema(implementation = ReleaseView.class)))
    @APIResponse(responseCode = "400", description = "Malformed body")
    @APIResponse(responseCode = "404", description = "No such release or gate")
    @APIResponse(responseCode = "409", description = "The gate is not waiting")
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Path("/{version}/gates/{gate}/approve")
    @RolesAllowed(Roles.APPROVER)
    public Response approve(@PathParam("version") String version, @PathParam("gate") String gate,
                            ApproveRequest body) {
        requireVersion("version", version);
        requireName("gate", gate);
        String note = body == null ? null : InputRules.text("note", body.note(), InputRules.MAX_TEXT);
        String evidence = body == null ? null : InputRules.line("evidence", body.evidence(), InputRules.MAX_EVIDENCE);
        existing(version);
        Releases.Outcome outcome = releases.approve(version, gate, currentUser.name(), currentUser.hasRole(Roles.APPROVER),
                note, evidence);
        refuseIfRejected(outcome);
        return Response.accepted(ReleaseView.of(releases.state(version).orElseThrow())).build();
    }

    @Operation(summary = "Cancel a release")
    @APIResponse(responseCode = "202", description = "Cancelled", content = @Content(schema = @Schema(implementation = ReleaseView.class)))
    @APIResponse(responseCode = "400", description = "Malformed body")
    @APIResponse(responseCode = "404", description = "No such release")
    @APIResponse(responseCode = "409", description = "Already completed or cancelled")
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Path("/{version}/cancel")
    @RolesAllowed(Roles.RELEASE_MANAGER)
    public Response cancel(@PathParam("version") String version, CancelRequest body) {
        requireVersion("version", version);
        String reason = body == null ? null : InputRules.text("reason", body.reason(), InputRules.MAX_TEXT);
        existing(version);
        Releases.Outcome outcome = releases.cancel(version, currentUser.name(), reason);
        refuseIfRejected(outcome);
        return Response.accepted(ReleaseView.of(releases.state(version).orElseThrow())).build();
    }

    private ReleaseState existing(String version) {
        requireVersion("version", version);
        return releases.state(version).orElseThrow(() ->
                ApiError.of(Response.Status.NOT_FOUND, "no release " + version));
    }

    private static String requireVersion(String field, String value) {
        if (value == null || value.isBlank()) {
            throw ApiError.of(Response.Status.BAD_REQUEST, "field '" + field + "' is required, e.g. \"1.29.0\"");
        }
        if (!VERSION.matcher(value).matches()) {
            throw ApiError.of(Response.Status.BAD_REQUEST,
                    "field '" + field + "' must be a version MAJOR.MINOR.PATCH like 1.29.0, got '" + InputRules.shown(value) + "'");
        }
        return value;
    }

    /** A step or a gate named in the path: one line, not longer than any runbook's names. */
    private static void requireName(String field, String value) {
        if (value == null || value.isBlank()) {
            throw ApiError.of(Response.Status.BAD_REQUEST, "path parameter '" + field + "' is required");
        }
        InputRules.line(field, value, InputRules.MAX_NAME);
    }

    /** The {@code Last-Event-ID} header: the seq of the last event the client has, 0 or more; absent is 0. */
    static long lastEventId(String header) {
        if (header == null || header.isBlank()) {
            return 0;
        }
        String value = header.trim();
        if (value.length() <= 18 && value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return Long.parseLong(value);
        }
        throw ApiError.of(Response.Status.BAD_REQUEST, "header 'Last-Event-ID' must be the id of an event of this stream"
                + " (a number, 0 or more), got '" + InputRules.shown(header) + "'");
    }

    private static void refuseIfRejected(Releases.Outcome outcome) {
        if (outcome.accepted()) {
            return;
        }
        Decision.Rejection r = outcome.rejection();
        Response.Status status = switch (r.reason()) {
            case NOT_FOUND -> Response.Status.NOT_FOUND;
            case CONFLICT -> Response.Status.CONFLICT;
            case INVALID -> Response.Status.BAD_REQUEST;
            case FORBIDDEN -> Response.Status.FORBIDDEN;
        };
        throw ApiError.of(status, r.message());
    }
}
