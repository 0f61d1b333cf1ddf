package dev.releasetrain.worker;

import org.jboss.logging.MDC;

/**
 * The release, step, attempt and command id in the logging context (MDC) while a command is handled, so every log
 * line written meanwhile carries them: as fields of the JSON log ({@code quarkus.log.console.json.enabled=true}), or
 * through {@code %X{release}} and the like in a text format. Closing it removes them again.
 */
public final class LogContext implements AutoCloseable {
    public static final String RELEASE = "release";
    public static final String STEP = "step";
    public static final String ATTEMPT = "attempt";
    public static final String COMMAND_ID = "commandId";

    private LogContext() {
    }

    /** Puts the command's identity in the context of this thread until {@link #close}. */
    public static LogContext of(String release, String step, int attempt, String commandId) {
        MDC.put(RELEASE, release);
        MDC.put(STEP, step);
        MDC.put(ATTEMPT, Integer.toString(attempt));
        if (commandId != null) {
            MDC.put(COMMAND_ID, commandId);
        }
        return new LogContext();
    }

    @Override
    public void close() {
        MDC.remove(RELEASE);
        MDC.remove(STEP);
        MDC.remove(ATTEMPT);
        MDC.remove(COMMAND_ID);
    }
}
