package dev.releasetrain.coordinator.release;

import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.LogFields;
import dev.releasetrain.protocol.ReleaseEvent;
import org.jboss.logging.MDC;

/**
 * The release, step, attempt and command id of a step result in the logging context (MDC) while the coordinator
 * records it, so every line logged meanwhile carries them (fields of the JSON log, {@code %X{release}} in a text
 * format). The keys are the services' ({@link LogFields}), so a
 * command and its result are found together. Closing it removes them.
 */
public final class ResultLogContext implements AutoCloseable {

    private ResultLogContext() {
    }

    public static ResultLogContext of(Envelope result) {
        MDC.put(LogFields.RELEASE, result.releaseId());
        ReleaseEvent d = result.data();
        put(LogFields.STEP, d.step());
        if (d instanceof ReleaseEvent.StepStarted s) {
            attempt(s.attempt(), s.commandId());
        } else if (d instanceof ReleaseEvent.StepProgress p) {
            attempt(p.attempt(), p.commandId());
        } else if (d instanceof ReleaseEvent.StepSucceeded s) {
            attempt(s.attempt(), s.commandId());
        } else if (d instanceof ReleaseEvent.StepFailed f) {
            attempt(f.attempt(), f.commandId());
        }
        return new ResultLogContext();
    }

    private static void attempt(int attempt, String commandId) {
        MDC.put(LogFields.ATTEMPT, Integer.toString(attempt));
        put(LogFields.COMMAND_ID, commandId);
    }

    private static void put(String key, String value) {
        if (value != null) {
            MDC.put(key, value);
        }
    }

    @Override
    public void close() {
        MDC.remove(LogFields.RELEASE);
        MDC.remove(LogFields.STEP);
        MDC.remove(LogFields.ATTEMPT);
        MDC.remove(LogFields.COMMAND_ID);
    }
}
