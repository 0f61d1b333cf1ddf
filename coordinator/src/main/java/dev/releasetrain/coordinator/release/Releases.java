package dev.releasetrain.coordinator.release;

import dev.releasetrain.coordinator.log.ReleaseLog;
import dev.releasetrain.coordinator.log.ReleaseLog.DuplicateEvent;
import dev.releasetrain.coordinator.log.ReleaseLog.StreamConflict;
import dev.releasetrain.coordinator.runbook.Runbooks;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.ReleaseEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs commands against releases: read the stream, fold, decide, append in one transaction. A
 * concurrent append (another instance, another partition) makes the append fail on the stream
 * position; the command is then decided again on the fresh stream.
 */
@ApplicationScoped
public class Releases {
    public static final String SOURCE = "/release-train/coordinator";
    private static final Logger LOG = Logger.getLogger(Releases.class);
    private static final int MAX_ATTEMPTS = 20;

    @Inject
    ReleaseLog log;

    final ReleaseStateMachine machine = new ReleaseStateMachine(Runbooks::named);
    private final Map<String, ReleaseState> cache = new ConcurrentHashMap<>();

    /** The outcome of a command: what was appended, or why nothing was. */
    public record Outcome(List<Envelope> appended, Decision.Rejection rejection, boolean duplicate) {
        public boolean accepted() {
            return rejection == null;
        }
    }

    public Outcome start(String version, String runbook, String startedBy) {
        return handle(version, new ReleaseCommand.Start(version, runbook, startedBy));
    }

    public Outcome retry(String releaseId, String step, String requestedBy, String reason) {
        return handle(releaseId, new ReleaseCommand.RetryStep(step, requestedBy, reason));
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

    private Outcome handle(String releaseId, ReleaseCommand command) {
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            ReleaseState state = current(releaseId);
            Decision decision = machine.decide(state, command);
            if (decision.rejected()) {
                return new Outcome(List.of(), decision.rejection(), false);
            }
            List<Envelope> toAppend = new ArrayList<>();
            if (command instanceof ReleaseCommand.RecordResult r) {
                toAppend.add(r.result());
            }
            for (ReleaseEvent e : decision.events()) {
                toAppend.add(Envelope.of(SOURCE, releaseId, e));
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
