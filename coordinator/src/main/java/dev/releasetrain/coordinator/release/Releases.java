package dev.releasetrain.coordinator.release;

import dev.releasetrain.coordinator.log.ReleaseLog;
import dev.releasetrain.coordinator.log.ReleaseLog.DuplicateEvent;
import dev.releasetrain.coordinator.log.ReleaseLog.StreamConflict;
import dev.releasetrain.coordinator.runbook.Runbook;
import dev.releasetrain.coordinator.runbook.RunbookCatalog;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.ReleaseEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
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
 * timers of active releases (deadlines, scheduled retries, gates opening on the calendar).
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
    @ConfigProperty(name = "release-train.versions.released")
    Optional<List<String>> releasedBefore;

    Clock clock = Clock.systemUTC();
    ReleaseStateMachine machine;
    private final Map<String, ReleaseState> cache = new ConcurrentHashMap<>();
    private volatile boolean loaded;

    @PostConstruct
    void init() {
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
     * Starts a release. Without a version, a minor release starts the next minor after the newest
     * release; a patch the next patch of the newest minor. The version must follow the released ones.
     */
    public Outcome start(String version, String kind, String runbookName, String startedBy) {
        String k = kind == null ? "minor" : kind;
        if (!k.equals("minor") && !k.equals("patch")) {
            return Outcome.refused(Decision.Reason.INVALID, "field 'kind' must be \"minor\" or \"patch\", got '" + kind + "'");
        }
        Set<String> known = knownVersions();
        String v = version;
        if (v == null) {
            Optional<String> newest = Versions.newest(known);
            if (newest.isEmpty()) {
                return Outcome.refused(Decision.Reason.INVALID, "field 'version' is required: no release is known yet to count from");
            }
            v = k.equals("minor") ? Versions.nextMinor(newest.get()) : nextPatch(newest.get(), known);
        }
        Optional<String> refusal = Versions.refusal(v, k, known);
        if (refusal.isPresent()) {
            if (known.contains(v) && log.read(v, 0).size() > 0) {
                return Outcome.refused(Decision.Reason.CONFLICT, "release " + v + " already exists");
            }
            return Outcome.refused(Decision.Reason.INVALID, "field 'version': " + refusal.get());
        }
        Runbook runbook;
        if (runbookName != null) {
            Optional<Runbook> named = catalog.named(runbookName);
            if (named.isEmpty()) {
                return Outcome.refused(Decision.Reason.INVALID, "field 'runbook': unknown runbook '" + runbookName
                        + "' (known: " + String.join(", ", catalog.names()) + ")");
            }
            runbook = named.get();
        } else {
            runbook = catalog.forKind(k);
        }
        String previous = Versions.previous(v, known).orElse("");
        ReleaseSchedule.Slot slot = schedule.slotFor(clock.instant());
        Map<String, String> variables = new LinkedHashMap<>();
        variables.put("version", v);
        variables.put("previousVersion", previous);
        variables.put("kind", k);
        variables.put("releaseBranch", Versions.releaseBranch(v));
        variables.put("owner", slot.owner());
        variables.put("ownerSlack", slot.ownerSlack());
        variables.put("freezeDate", slot.freezeDate().toString());
        variables.put("freezeTime", slot.freezeTime().toString());
        variables.put("releaseDate", slot.releaseDate().toString());
        variables.put("releaseTime", slot.releaseTime().toString());
        variables.put("startedBy", startedBy);
        variables.put("previousReleaseTime", "");
        return handle(v, new ReleaseCommand.Start(v, k, previous, runbook, startedBy, variables));
    }

    private static String nextPatch(String newest, Set<String> known) {
        int[] p = Versions.parts(newest);
        String series = p[0] + "." + p[1] + ".";
        String top = known.stream().filter(x -> x.startsWith(series)).max(Versions.ORDER).orElse(newest);
        int[] t = Versions.parts(top);
        return t[0] + "." + t[1] + "." + (t[2] + 1);
    }

    /** Versions released before Release Train (configured) and every release in the log. */
    public Set<String> knownVersions() {
        Set<String> known = new LinkedHashSet<>();
        releasedBefore.orElse(List.of()).forEach(v -> known.add(v.trim()));
        known.addAll(log.releaseIds());
        return known;
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
        if (log.contains(result.id())) {
            return new Outcome(List.of(), null, true);
        }
        return handle(result.releaseId(), new ReleaseCommand.RecordResult(result));
    }

    public Optional<ReleaseState> state(String releaseId) {
        ReleaseState s = current(releaseId);
        return s.started() ? Optional.of(s) : Optional.empty();
    }

    public ReleaseStateMachine machine() {
        return machine;
    }

    /** Fires due timers: deadlines that passed, retries whose wait is over, gates whose time came. */
    @Scheduled(every = "${release-train.timers.every:1s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        if (!loaded) {
            log.releaseIds().forEach(this::current); // after a restart: pick up every release's timers
            loaded = true;
        }
        Instant now = clock.instant();
        for (ReleaseState s : new ArrayList<>(cache.values())) {
            Instant due = s.nextTimer();
            if (due != null && !due.isAfter(now)) {
                try {
                    handle(s.releaseId(), new ReleaseCommand.Tick(now));
                } catch (RuntimeException e) {
                    LOG.errorf(e, "release %s: timers could not fire", s.releaseId());
                }
            }
        }
    }

    private Outcome handle(String releaseId, ReleaseCommand command) {
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            ReleaseState state = current(releaseId);
            Instant now = clock.instant();
            Decision decision = machine.decide(state, command, now);
            if (decision.rejected()) {
                return new Outcome(List.of(), decision.rejection(), false);
            }
            List<Envelope> toAppend = new ArrayList<>();
            if (command instanceof ReleaseCommand.RecordResult r) {
                toAppend.add(r.result());
            }
            for (ReleaseEvent e : decision.events()) {
                toAppend.add(new Envelope(UUID.randomUUID().toString(), SOURCE, releaseId, now, null, e));
            }
            if (toAppend.isEmpty()) {
                return new Outcome(List.of(), null, false);
            }
            try {
                List<Envelope> appended = log.append(releaseId, state.lastSeq(), toAppend);
                ReleaseState after = state;
                for (Envelope e : appended) {
                    after = machine.evolve(after, e);
                }
                cache.put(releaseId, after);
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
