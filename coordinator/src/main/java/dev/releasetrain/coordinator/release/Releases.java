package dev.releasetrain.coordinator.release;

import dev.releasetrain.coordinator.log.ReleaseLog;
import dev.releasetrain.coordinator.log.DuplicateEvent;
import dev.releasetrain.coordinator.log.StreamConflict;
import dev.releasetrain.coordinator.log.StreamTails;
import dev.releasetrain.coordinator.runbook.Runbook;
import dev.releasetrain.coordinator.runbook.RunbookCatalog;
import dev.releasetrain.coordinator.trace.ReleaseTraces;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.ReleaseEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs commands against releases: read the stream, fold, decide, append in one transaction. A
 * concurrent append (another instance, another partition) makes the append fail on the stream
 * position; the command is then decided again on the fresh stream. A one-second tick fires the
 * timers of active releases (deadlines, scheduled retries, gates opening on the calendar). What an
 * append commits goes out through the log's listeners (the relay's fast path, live streams), after
 * this class has cached the state the append left.
 */
@ApplicationScoped
public class Releases {
    public static final String SOURCE = "/release-train/coordinator";
    private static final Logger LOG = Logger.getLogger(Releases.class);
    private static final int MAX_ATTEMPTS = 20;

    @Inject
    ReleaseLog log;
    @Inject
    RunbookCatalog catalog;
    @Inject
    ReleaseSchedule schedule;
    @Inject
    StreamTails tails;
    /** The release's trace: the context its events carry, and the spans of its step attempts. */
    @Inject
    ReleaseTraces traces;
    @ConfigProperty(name = "release-train.versions.released")
    Optional<List<String>> releasedBefore;
    /** Timers wait for the results that were waiting at the start (none when results are consumed elsewhere). */
    @Inject
    Instance<ResultsBacklog> backlogs;

    Clock clock = Clock.systemUTC();
    ReleaseStateMachine machine;
    private final Map<String, ReleaseState> cache = new ConcurrentHashMap<>();
    private final Map<String, Optional<Instant>> tagTimes = new ConcurrentHashMap<>();
    private KnownReleases knownReleases;
    private ActiveReleases active;

    @PostConstruct
    void init() {
        knownReleases = new KnownReleases(from -> log.milestonesSince(from));
        active = new ActiveReleases(from -> log.milestonesSince(from));
        machine = new ReleaseStateMachine(name -> catalog.named(name).orElseThrow(() ->
                new Runbook.InvalidRunbook(name, "-", "a release names this runbook, which is no longer defined")));
        for (String v : releasedBefore.orElse(List.of())) {
            if (!Versions.valid(v.trim())) {
                throw new IllegalStateException("release-train.versions.released: '" + v + "' is not a version MAJOR.MINOR.PATCH");
            }
        }
    }

    /** The outcome of a command: what was appended, or why nothing was. */
    public record Outcome(List<Envelope> appended, Decision.Rejection rejection, boolean duplicate) {
        public boolean accepted() {
            return rejection == null;
        }

        static Outcome refused(Decision.Reason reason, String message) {
            return new Outcome(List.of(), new Decision.Rejection(reason, message), false);
        }
    }

    /**
     * Starts a release. The runbook follows from the kind (a minor runs the minor plan, a patch the patch
     * plan); a named runbook must be of the release's kind, or a proving plan, whose run is marked as such
     * and never counts as a release. Without a version, a minor release starts the next minor after the
     * newest release; a patch the next patch of the newest released minor. The version must follow the
     * releases before it.
     */
    public Outcome start(String version, String kind, String runbookName, String startedBy) {
        Prepared prepared = prepare(version, kind, runbookName, startedBy);
        if (prepared.refusal() != null) {
            return prepared.refusal();
        }
        ReleaseCommand.Start start = prepared.start();
        // A version nobody started yet has an empty stream: decided without reading it. Should another
        // instance start it meanwhile (or a proving run hold it), the append meets its first event and the
        // start is decided again, and refused as existing.
        return handle(start.version(), start, ReleaseState.empty(start.version()));
    }

    /** What starting a release would record ({@code start}), or why it would be refused; nothing is appended. */
    public record Prepared(ReleaseCommand.Start start, Outcome refusal) {
    }

    /** The start of a release as {@link #start} would decide it: its version, plan and variables. Appends nothing. */
    public Prepared prepare(String version, String kind, String runbookName, String startedBy) {
        String k = kind == null ? Runbook.MINOR : kind;
        if (!k.equals(Runbook.MINOR) && !k.equals(Runbook.PATCH)) {
            return new Prepared(null, Outcome.refused(Decision.Reason.INVALID, "field 'kind' must be \"minor\" or \"patch\", got '" + kind + "'"));
        }
        Runbook runbook;
        if (runbookName != null) {
            Optional<Runbook> named = catalog.named(runbookName);
            if (named.isEmpty()) {
                return new Prepared(null, Outcome.refused(Decision.Reason.INVALID, "field 'runbook': unknown runbook '" + runbookName
                        + "' (known: " + String.join(", ", catalog.names()) + ")"));
            }
            runbook = named.get();
            if (!runbook.proving() && !runbook.kind().equals(k)) {
                return new Prepared(null, Outcome.refused(Decision.Reason.INVALID, "field 'runbook': '" + runbookName + "' is a plan for "
                        + runbook.kind() + " releases; a " + k + " release runs '" + catalog.forKind(k).name() + "'"));
            }
        } else {
            runbook = catalog.forKind(k);
        }
        boolean proving = runbook.proving();
        KnownVersions known = knownVersions();
        String v = version;
        if (v == null) {
            Optional<String> next = known.next(k, proving);
            if (next.isEmpty()) {
                return new Prepared(null, Outcome.refused(Decision.Reason.INVALID, "field 'version' is required: no release is known yet to count from"));
            }
            v = next.get();
        }
        if (known.taken().contains(v) && !known.configured().contains(v)) {
            return new Prepared(null, Outcome.refused(Decision.Reason.CONFLICT, "release " + v + " already exists"));
        }
        Optional<String> refusal = proving
                ? known.configured().contains(v) ? Optional.of(v + " was released before Release Train") : Optional.empty()
                : known.refusal(v, k);
        if (refusal.isPresent()) {
            return new Prepared(null, Outcome.refused(Decision.Reason.INVALID, "field 'version': " + refusal.get()));
        }
        String releaseKind = proving ? Runbook.PROVING : k;
        String previous = proving ? "" : known.previous(v, k); // a proving run follows no release
        Instant now = clock.instant();
        Map<String, String> variables = ReleaseVariables.of(v, releaseKind, previous, known.releaseTime(previous, this::taggedAt),
                schedule.slotFor(now), now, startedBy);
        return new Prepared(new ReleaseCommand.Start(v, releaseKind, previous, runbook, startedBy, variables), null);
    }

    /**
     * When a completed release was tagged: read from its stream once, then remembered (a completed release
     * changes no more), so a {@code POST} reads it only when the previous version is new to this instance.
     */
    private Optional<Instant> taggedAt(String releaseId) {
        return tagTimes.computeIfAbsent(releaseId, log::taggedAt);
    }

    /**
     * Versions released before Release Train (configured) and every release in the log started or completed
     * before this call. The log is read once, then only what started or completed since (by this or another
     * instance), one read shared by the calls that wait for it ({@link KnownReleases}).
     */
    public KnownVersions knownVersions() {
        return knownReleases.withBefore(releasedBefore.orElse(List.of()));
    }

    public Outcome retry(String releaseId, String step, String requestedBy, String reason, Map<String, String> params) {
        return handle(releaseId, new ReleaseCommand.RetryStep(step, requestedBy, reason, params));
    }

    public Outcome approve(String releaseId, String gate, String approver, boolean approverRole, String note, String evidence) {
        return handle(releaseId, new ReleaseCommand.ApproveGate(gate, approver, approverRole, note, evidence));
    }

    public Outcome cancel(String releaseId, String by, String reason) {
        return handle(releaseId, new ReleaseCommand.Cancel(by, reason));
    }

    /** Records a service's result (deduplicated by event id) and appends what follows from it. */
    public Outcome record(Envelope result) {
        try (ResultLogContext context = ResultLogContext.of(result)) {
            if (log.contains(result.id())) {
                return new Outcome(List.of(), null, true);
            }
            return handle(result.releaseId(), new ReleaseCommand.RecordResult(result));
        }
    }

    /**
     * Records a batch of results (one poll of {@code release.results}) in ONE transaction: each
     * release decided on in the batch's order from its cached state, everything appended at once (one
     * commit instead of one per result), then published. Duplicates are dropped by event id without a
     * query up front (they are rare: redeliveries after a restart): a redelivered result the state has
     * moved past is refused by the state machine and then found in the log; one it would accept again
     * (a progress report) breaks the batch's insert on the event id's unique key. When the batch
     * cannot go in as a whole (that, or a stream moved: another instance appended), it falls back to
     * {@link #record} one result at a time on fresh state, which looks each id up first.
     *
     * @return the outcome of each result, in the order given
     */
    public List<Outcome> recordAll(List<Envelope> results) {
        Instant now = clock.instant();
        Map<String, ReleaseState> before = new LinkedHashMap<>();
        Map<String, ReleaseState> after = new LinkedHashMap<>();
        Map<String, List<Envelope>> appends = new LinkedHashMap<>();
        List<Outcome> outcomes = new ArrayList<>(results.size());
        Set<String> seen = new java.util.HashSet<>();
        for (Envelope result : results) {
            try (ResultLogContext context = ResultLogContext.of(result)) {
                decideOne(result, now, seen, before, after, appends, outcomes);
            }
        }
        if (appends.isEmpty()) {
            return outcomes;
        }
        List<ReleaseLog.Append> batch = new ArrayList<>(appends.size());
        appends.forEach((id, events) -> batch.add(new ReleaseLog.Append(id, before.get(id).lastSeq(), events)));
        try {
            log.appendAll(batch, (id, events) -> cache.put(id, after.get(id)));
            appends.forEach((id, events) -> traces.appended(id, after.get(id).traceParent(), events));
        } catch (StreamConflict | DuplicateEvent raced) {
            LOG.debugf("a batch of %d results raced another writer (%s); recording them one by one", results.size(), raced.getMessage());
            appends.keySet().forEach(cache::remove);
            List<Outcome> one = new ArrayList<>(results.size());
            for (Envelope result : results) {
                one.add(record(result));
            }
            return one;
        }
        return outcomes;
    }

    /** Decides on one result of a batch from the state the batch left its release in (see {@link #recordAll}). */
    private void decideOne(Envelope result, Instant now, Set<String> seen, Map<String, ReleaseState> before,
                           Map<String, ReleaseState> after, Map<String, List<Envelope>> appends, List<Outcome> outcomes) {
        if (!seen.add(normalized(result.id()))) {
            outcomes.add(new Outcome(List.of(), null, true));
            return;
        }
        String releaseId = result.releaseId();
        ReleaseState state = after.computeIfAbsent(releaseId, id -> {
            ReleaseState s = cache.get(id);
            return s != null ? s : current(id);
        });
        before.putIfAbsent(releaseId, state);
        Decision decision = machine.decide(state, new ReleaseCommand.RecordResult(result), now);
        if (decision.rejected() && !appends.containsKey(releaseId)) {
            // the cached state may be behind: another instance appended (it records results of the
            // same group, answers REST and fires timers); the stream as it is now decides
            ReleaseState fresh = current(releaseId);
            if (fresh.lastSeq() != state.lastSeq()) {
                state = fresh;
                before.put(releaseId, fresh);
                after.put(releaseId, fresh);
                decision = machine.decide(state, new ReleaseCommand.RecordResult(result), now);
            }
        }
        if (decision.repeated()) {
            outcomes.add(new Outcome(List.of(), null, true));
            return;
        }
        if (decision.rejected()) {
            // most often a redelivered result that the state has moved past: then it is a duplicate
            outcomes.add(log.contains(result.id()) ? new Outcome(List.of(), null, true) : new Outcome(List.of(), decision.rejection(), false));
            return;
        }
        List<Envelope> appended = new ArrayList<>(1 + decision.events().size());
        long seq = state.lastSeq();
        appended.add(ReleaseLog.stored(result, ++seq));
        for (ReleaseEvent e : decision.events()) {
            appended.add(ReleaseLog.stored(new Envelope(UUID.randomUUID().toString(), SOURCE, releaseId, now, null, e,
                    traces.contextOf(state.traceParent(), e)), ++seq));
        }
        for (Envelope e : appended) {
            state = machine.evolve(state, e);
        }
        after.put(releaseId, state);
        appends.computeIfAbsent(releaseId, id -> new ArrayList<>()).addAll(appended);
        outcomes.add(new Outcome(appended, null, false));
    }

    private static String normalized(String eventId) {
        try {
            return UUID.fromString(eventId).toString();
        } catch (IllegalArgumentException e) {
            return eventId;
        }
    }

    /**
     * The state this instance holds for a release, without reading the log: right after a command of
     * this instance appended to it, that is the state the append left.
     */
    public Optional<ReleaseState> cachedState(String releaseId) {
        return Optional.ofNullable(cache.get(releaseId)).filter(ReleaseState::started);
    }

    public Optional<ReleaseState> state(String releaseId) {
        ReleaseState s = current(releaseId);
        return s.started() ? Optional.of(s) : Optional.empty();
    }

    public ReleaseStateMachine machine() {
        return machine;
    }

    /**
     * Fires due timers: deadlines that passed, retries whose wait is over, gates whose time came. Not
     * before the results waiting at the start are read: a step whose result waits must not time out.
     *
     * <p>Every instance judges every active release, whichever instance started it or records its results:
     * the releases come from the log ({@link ActiveReleases}), and one query of the streams' tails tells
     * which held states another instance moved on; only those are read again. Two instances that find the
     * same timer due both decide; the append of the first makes the second's meet its event (the stream
     * position), and the second, deciding again on the stream it reads then, finds nothing due: a timer
     * fires once across instances.
     */
    @Scheduled(every = "${release-train.timers.every:1s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        for (ResultsBacklog backlog : backlogs) {
            if (!backlog.caughtUp()) {
                return;
            }
        }
        Set<String> ids = active.refresh();
        Map<String, Long> tailSeqs = tails.of(ids);
        Instant now = clock.instant();
        for (String id : ids) {
            try {
                ReleaseState s = cache.get(id);
                if (s == null || tailSeqs.getOrDefault(id, 0L) > s.lastSeq()) {
                    s = current(id);
                }
                if (s.finished()) {
                    active.ended(id);
                    continue;
                }
                Instant due = s.nextTimer();
                if (due != null && !due.isAfter(now)) {
                    handle(id, new ReleaseCommand.Tick(now));
                }
            } catch (RuntimeException e) {
                LOG.errorf(e, "release %s: timers could not fire", id);
            }
        }
    }

    private Outcome handle(String releaseId, ReleaseCommand command) {
        return handle(releaseId, command, null);
    }

    /** @param known the stream's state if the caller knows it (used for the first attempt only), else null */
    private Outcome handle(String releaseId, ReleaseCommand command, ReleaseState known) {
        // a start opens the release's trace: its root span, whose context the release's events carry from then on
        ReleaseTraces.ReleaseSpan started = command instanceof ReleaseCommand.Start s ? traces.start(releaseId, s.kind()) : null;
        try {
            return decideAndAppend(releaseId, command, known, started);
        } finally {
            if (started != null) {
                started.end();
            }
        }
    }

    private Outcome decideAndAppend(String releaseId, ReleaseCommand command, ReleaseState known, ReleaseTraces.ReleaseSpan started) {
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            ReleaseState state = attempt == 1 && known != null ? known : current(releaseId);
            Instant now = clock.instant();
            Decision decision = machine.decide(state, command, now);
            if (decision.rejected()) {
                if (started != null) {
                    started.refused(decision.rejection().message());
                }
                return new Outcome(List.of(), decision.rejection(), false);
            }
            if (decision.repeated()) {
                return new Outcome(List.of(), null, true);
            }
            List<Envelope> toAppend = new ArrayList<>();
            if (command instanceof ReleaseCommand.RecordResult r) {
                toAppend.add(r.result());
            }
            String trace = started != null ? started.traceParent() : state.traceParent();
            for (ReleaseEvent e : decision.events()) {
                toAppend.add(new Envelope(UUID.randomUUID().toString(), SOURCE, releaseId, now, null, e, traces.contextOf(trace, e)));
            }
            if (toAppend.isEmpty()) {
                return new Outcome(List.of(), null, false);
            }
            try {
                List<Envelope> appended = log.append(releaseId, state.lastSeq(), toAppend, (id, events) -> {
                    ReleaseState after = state;
                    for (Envelope e : events) {
                        after = machine.evolve(after, e);
                    }
                    cache.put(id, after);
                });
                traces.appended(releaseId, trace, appended);
                return new Outcome(appended, null, false);
            } catch (StreamConflict conflict) {
                LOG.debugf("release %s: concurrent append at seq %d, deciding again", releaseId, state.lastSeq());
            } catch (DuplicateEvent duplicate) {
                return new Outcome(List.of(), null, true);
            }
        }
        throw new IllegalStateException("release " + releaseId + ": the stream kept moving; gave up after "
                + MAX_ATTEMPTS + " attempts");
    }

    /** The cached state brought up to the log's tail (other instances may have appended). */
    private ReleaseState current(String releaseId) {
        ReleaseState cached = cache.getOrDefault(releaseId, ReleaseState.empty(releaseId));
        ReleaseState s = cached;
        for (Envelope e : log.read(releaseId, cached.lastSeq())) {
            s = machine.evolve(s, e);
        }
        if (s.started() && s != cached) {
            cache.put(releaseId, s);
        }
        return s;
    }
}
