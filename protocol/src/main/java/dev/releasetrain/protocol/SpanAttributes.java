package dev.releasetrain.protocol;

/**
 * The names of the attributes the coordinator and the services put on a release's spans: the same names on both
 * sides, so one query finds a step's spans in every process (docs/observability.md).
 */
public final class SpanAttributes {
    public static final String RELEASE = "release_train.release";
    public static final String STEP = "release_train.step";
    public static final String ATTEMPT = "release_train.attempt";
    public static final String COMMAND_ID = "release_train.command_id";
    public static final String OUTCOME = "release_train.outcome";
    public static final String WORKER = "release_train.worker";
    /** On the release's root span: the kind of release (monthly, patch, ...). */
    public static final String KIND = "release_train.kind";
    /** On a service's span: the handler that ran the command. */
    public static final String ACTION = "release_train.action";

    private SpanAttributes() {
    }
}
