package dev.releasetrain.worker;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.releasetrain.protocol.CloudEventCodec;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Map;
import java.util.Optional;

/**
 * How large a step's result may be. Outputs and reasons travel as one Kafka record to the coordinator and
 * land in the release log, the timeline and Slack: a huge one would be refused by the broker, or clutter
 * every later read. Outputs over {@code release-train.worker.max-output-bytes} (serialized as JSON) fail
 * the step with a reason saying so; a reason over {@code release-train.worker.max-reason-chars} is cut,
 * with a marker saying how much was left out.
 */
@Singleton
public class ResultLimits {
    public static final int DEFAULT_MAX_OUTPUT_BYTES = 64 * 1024;
    public static final int DEFAULT_MAX_REASON_CHARS = 4096;
    /** The smallest reason cap that still leaves room for some text before the marker. */
    private static final int MIN_REASON_CHARS = 100;

    private final int maxOutputBytes;
    private final int maxReasonChars;

    @Inject
    public ResultLimits(
            @ConfigProperty(name = "release-train.worker.max-output-bytes", defaultValue = "65536") int maxOutputBytes,
            @ConfigProperty(name = "release-train.worker.max-reason-chars", defaultValue = "4096") int maxReasonChars) {
        if (maxOutputBytes < 2) {
            throw new IllegalArgumentException("release-train.worker.max-output-bytes must be at least 2, was " + maxOutputBytes);
        }
        if (maxReasonChars < MIN_REASON_CHARS) {
            throw new IllegalArgumentException("release-train.worker.max-reason-chars must be at least "
                    + MIN_REASON_CHARS + ", was " + maxReasonChars);
        }
        this.maxOutputBytes = maxOutputBytes;
        this.maxReasonChars = maxReasonChars;
    }

    public static ResultLimits defaults() {
        return new ResultLimits(DEFAULT_MAX_OUTPUT_BYTES, DEFAULT_MAX_REASON_CHARS);
    }

    public int maxOutputBytes() {
        return maxOutputBytes;
    }

    public int maxReasonChars() {
        return maxReasonChars;
    }

    /** {@code text} itself, or its first part and {@code … [cut N characters]}, within the cap. */
    public String cutReason(String text) {
        if (text == null || text.length() <= maxReasonChars) {
            return text;
        }
        // the marker's own length depends on the count it quotes: reserve room for the longest count
        String longest = marker(text.length());
        int keep = maxReasonChars - longest.length();
        if (Character.isHighSurrogate(text.charAt(keep - 1))) {
            keep--; // never split a character in two
        }
        return text.substring(0, keep) + marker(text.length() - keep);
    }

    private static String marker(int cut) {
        return "… [cut " + cut + " characters]";
    }

    /**
     * Why these outputs may not be published (too large, or not serializable), naming the largest ones;
     * empty when they may.
     */
    public Optional<String> outputsProblem(String step, Map<String, Object> outputs) {
        int size;
        try {
            size = CloudEventCodec.json().writeValueAsBytes(outputs).length;
        } catch (JsonProcessingException e) {
            return Optional.of("the outputs of step " + step + " cannot be written as JSON: " + e.getOriginalMessage());
        }
        if (size <= maxOutputBytes) {
            return Optional.empty();
        }
        String largest = null;
        int largestSize = -1;
        for (Map.Entry<String, Object> e : outputs.entrySet()) {
            int s = sizeOf(e.getValue());
            if (s > largestSize) {
                largest = e.getKey();
                largestSize = s;
            }
        }
        return Optional.of("the outputs of step " + step + " are " + size + " bytes as JSON, over the cap of "
                + maxOutputBytes + " bytes (release-train.worker.max-output-bytes); the largest is '" + largest
                + "' (" + largestSize + " bytes): a step's outputs say what it did, not the content it handled");
    }

    private static int sizeOf(Object value) {
        try {
            return CloudEventCodec.json().writeValueAsBytes(value).length;
        } catch (JsonProcessingException e) {
            return 0;
        }
    }
}
