package dev.releasetrain.protocol;

/**
 * The names under which the coordinator and the services put a command's identity in their logging context while
 * they handle it or its result: the same names on both sides, so one search finds a step's lines everywhere.
 */
public final class LogFields {
    public static final String RELEASE = "release";
    public static final String STEP = "step";
    public static final String ATTEMPT = "attempt";
    public static final String COMMAND_ID = "commandId";

    private LogFields() {
    }
}
