package dev.releasetrain.notify;

import dev.releasetrain.worker.StepFailure;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Rendering a message template: placeholders, optional parts on lines of their own, missing values. */
class MessageTemplatesTest {
    static final String ANNOUNCE = ":rocket: *PostHog {{version}} is out!*\n{{postLink}}";

    @Test
    void anOptionalPartOnItsOwnLineIsLeftOutWithItsLineBreakWhenEmpty() {
        assertEquals(":rocket: *PostHog 1.29.1 is out!*",
                MessageTemplates.render("announce-release", ANNOUNCE, Map.of("version", "1.29.1", "postLink", "")));
        assertEquals(":rocket: *PostHog 1.29.0 is out!*\nRead it: https://posthog.com/blog/posthog-array-1-29-0",
                MessageTemplates.render("announce-release", ANNOUNCE,
                        Map.of("version", "1.29.0", "postLink", "Read it: https://posthog.com/blog/posthog-array-1-29-0")));
    }

    @Test
    void onlyLinesOfNothingButPlaceholdersAreLeftOut() {
        String template = "Highlights:\n{{highlights}}\nLink: {{postUrl}}\n\nBye";
        assertEquals("Highlights:\nLink: \n\nBye",
                MessageTemplates.render("t", template, Map.of("highlights", " ", "postUrl", "")),
                "a label with an empty value stays (it is the template's own text), so does an empty line of the template");
        assertEquals("a b", MessageTemplates.render("t", "{{x}} {{y}}", Map.of("x", "a", "y", "b")));
    }

    @Test
    void aPlaceholderWithNoValueFailsNotRetryable() {
        StepFailure f = assertThrows(StepFailure.class, () -> MessageTemplates.render("newsletter", "Post: {{postUrl}}", Map.of("version", "1")));
        assertTrue(f.getMessage().startsWith("message template newsletter uses {{postUrl}}, which has no value here"), f.getMessage());
        assertTrue(!f.retryable());
    }
}
