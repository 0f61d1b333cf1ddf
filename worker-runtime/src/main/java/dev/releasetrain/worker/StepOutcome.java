package dev.releasetrain.worker;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** What a {@link StepHandler} reports: the outputs of a success, or the reason of a failure. */
public sealed interface StepOutcome {

    static StepOutcome succeeded(Map<String, Object> outputs) {
        return new Succeeded(outputs == null ? Map.of() : outputs);
    }

    static StepOutcome failed(String reason, boolean retryable) {
        return new Failed(reason, retryable);
    }

    /** Outputs are recorded in the release log, for later steps and the timeline: no secrets here. */
    record Succeeded(Map<String, Object> outputs) implements StepOutcome {
        public Succeeded {
            // Keeps insertion order and allows null values, unlike Map.copyOf.
            outputs = Collections.unmodifiableMap(new LinkedHashMap<>(outputs));
        }
    }

    /** {@code retryable} says whether another attempt of the same step can help. */
    record Failed(String reason, boolean retryable) implements StepOutcome {
        public Failed {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
