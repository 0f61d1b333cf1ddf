package dev.releasetrain.coordinator.bus;

import dev.releasetrain.coordinator.TestResults;
import dev.releasetrain.coordinator.security.TestTokens;
import dev.releasetrain.local.KafkaTestResource;
import dev.releasetrain.local.PostgresTestResource;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.LogFields;
import dev.releasetrain.protocol.ReleaseEvent;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.MDC;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A line the coordinator logs while it handles a step result names the result's release, step, attempt and command
 * id in the logging context: here the warning that parks a result its release refuses.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = KafkaTestResource.class, restrictToAnnotatedClass = false)
class ResultLogContextTest {
    /** The context of each line of the bus package: release, step, attempt, commandId. */
    private final List<List<Object>> contexts = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            if (r.getLoggerName() != null && r.getLoggerName().startsWith("dev.releasetrain.coordinator.bus")) {
                contexts.add(java.util.Arrays.asList(MDC.get(LogFields.RELEASE), MDC.get(LogFields.STEP),
                        MDC.get(LogFields.ATTEMPT), MDC.get(LogFields.COMMAND_ID)));
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void capture() {
        Logger.getLogger("").addHandler(capture);
    }

    @AfterEach
    void release() {
        Logger.getLogger("").removeHandler(capture);
    }

    @Test
    void theWarningThatParksARefusedResultNamesItsReleaseStepAttemptAndCommand() throws InterruptedException {
        String v = given().spec(TestTokens.as(TestTokens.ALICE)).contentType(ContentType.JSON).body("{\"runbook\":\"proving\"}")
                .post("/releases").then().statusCode(202).extract().path("version");
        String bootstrap = ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
        try (KafkaProducer<String, byte[]> producer = TestResults.producer(bootstrap, 0)) {
            producer.send(TestResults.encoded(Envelope.of("/test/worker", v,
                    new ReleaseEvent.StepSucceeded("git.no-such-step", 4, v + "/git.no-such-step/4", Map.of()))));
        }
        List<Object> expected = List.of(v, "git.no-such-step", "4", v + "/git.no-such-step/4");
        TestResults.await(() -> contexts.contains(expected), "the refusal was logged in the result's context: " + contexts);
        assertEquals(null, MDC.get(LogFields.RELEASE), "nothing is left in this thread's context");
    }
}
