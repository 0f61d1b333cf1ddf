package dev.releasetrain.sandbox;

/**
 * One local stand-in for an external system (Slack, CloudFront, Kubernetes, GitHub, image registry...).
 * Every stand-in counts the calls it receives and can be told to fail its next calls, which the
 * {@link Sandbox} exposes through its admin endpoint.
 */
public interface StandIn extends AutoCloseable {

    /** Short name used by the admin endpoint: slack, cloudfront, kubernetes, github, registry. */
    String name();

    /** Base URL of the stand-in, e.g. {@code http://127.0.0.1:41234}. */
    String url();

    /** Number of requests received since start (or since {@link #resetCalls()}), failed ones included. */
    long calls();

    /**
     * Requests since start (or since {@link #resetCalls()}) that may have changed something; a stand-in that does
     * not tell reads from writes counts every call.
     */
    default long writes() {
        return calls();
    }

    /** Sets the call counter (and the write counter) back to zero. */
    void resetCalls();

    /** Makes the next {@code count} requests fail with HTTP {@code status} (queued after earlier faults). */
    default void failNext(int count, int status) {
        inject(FaultSpec.failNext(count, status));
    }

    /** Queues a fault (after earlier ones): its next matching calls are delayed and/or fail. */
    void inject(FaultSpec fault);

    /** Drops all queued faults. */
    void clearFaults();

    /** Number of queued faults not yet consumed. */
    int pendingFaults();

    @Override
    void close();
}
