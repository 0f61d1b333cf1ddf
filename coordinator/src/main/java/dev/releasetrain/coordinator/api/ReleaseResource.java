package dev.releasetrain.coordinator.api;

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
import java.util.LinkedHashMap;
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
     * appended, no command sent, the git service asked only for its read-only plan. Refused as the start would be.
     */
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

    @GET
    @RolesAllowed(Roles.VIEWER)
    public List<Map<String, Object>> list() {
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
        List<Map<String, Object>> out = new ArrayList<>();
        for (ReleaseState s : states) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("version", s.version());
            row.put("status", s.status().name().toLowerCase());
            row.put("kind", s.kind());
            row.put("runbook", s.runbook().name());
            row.put("failedStep", s.failedStep());
            row.put("startedBy", s.startedBy());
            row.put("startedAt", times.get(new ReleaseDates.At(s.releaseId(), 1)));
            row.put("endedAt", s.finished() ? times.get(new ReleaseDates.At(s.releaseId(), s.lastSeq())) : null);
            row.put("currentSteps", s.steps().values().stream()
                    .filter(st -> st.status().inFlight() || st.status().failed()
                            || st.status() == ReleaseState.StepStatus.AWAITING_APPROVAL
                            || st.status() == ReleaseState.StepStatus.RETRY_SCHEDULED)
                    .map(ReleaseState.StepState::id).toList());
            out.add(row);
        }
        return out;
    }

    @GET
    @Path("/{version}")
    @RolesAllowed(Roles.VIEWER)
    public ReleaseView get(@PathParam("version") String version) {
        return ReleaseView.of(existing(version));
    }

    @GET
    @Path("/{version}/timeline")
    @RolesAllowed(Roles.VIEWER)
    public Timeline timeline(@PathParam("version") String version) {
        existing(version);
        return Timeline.of(version, log.read(version));
    }

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
