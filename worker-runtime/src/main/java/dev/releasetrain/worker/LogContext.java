package dev.releasetrain.worker;

import dev.releasetrain.protocol.LogFields;
import org.jboss.logging.MDC;

/**
 * The release, step, attempt and command id in the logging context (MDC) while a command is handled, so every log
 * line written meanwhile carries them: as fields of the JSON log ({@code quarkus.log.console.json.enabled=true}), or
 * through {@code %X{release}} and the like in a text format. Closing it removes them again.
 */
public final class LogContext implements AutoCloseable {

    private LogContext() {
    }

    /** Puts the command's identity in the context of this thread until {@link #close}. */
    public static LogContext of(String release, String step, int attempt, String commandId) {
        MDC.put(LogFields.RELEASE, release);
        MDC.put(LogFields.STEP, step);
        MDC.put(LogFields.ATTEMPT, Integer.toString(attempt));
        if (commandId != null) {
            MDC.put(LogFields.COMMAND_ID, commandId);
        }
        return new LogContext();
    }

    @Override
    public void close() {
        MDC.remove(LogFields.RELEASE);
        MDC.remove(LogFields.STEP);
        MDC.remove(LogFields.ATTEMPT);
        MDC.remove(LogFields.COMMAND_ID);
    }
}
