package dev.releasetrain.packaging;

import io.smallrye.config.Expressions;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What each packaged application reads from its own files under the {@code prod} profile (the one the chart and
 * the Compose file run), with no environment: no local address, stand-in or demo person, and the settings that
 * must come from the deployment are missing rather than defaulted. Read with SmallRye Config, as Quarkus reads them.
 */
class ProductionProfileTest {
    private static final List<String> APPLICATIONS = List.of("coordinator", "git-service", "deploy-service", "cdn-service",
            "notify-service");
    /** Where a value would point at this machine, the sandbox or the demo's people and tokens. */
    private static final Pattern NOT_FOR_PRODUCTION = Pattern.compile(
            "localhost|127\\.0\\.0\\.1|\\[::1]|sandbox|stand-?in|U0ALICE|U0BOB|test-token", Pattern.CASE_INSENSITIVE);
    /** Settings that a deployment must give (secrets, endpoints): none of them has a value in the files. */
    private static final Map<String, List<String>> FROM_THE_DEPLOYMENT = Map.of(
            "coordinator", List.of("kafka.bootstrap.servers", "quarkus.datasource.jdbc.url", "quarkus.datasource.username",
                    "quarkus.datasource.password", "release-train.auth.tokens", "release-train.calendar.rotation"),
            "git-service", List.of("release-train.github.token", "release-train.git.repository-url"),
            "deploy-service", List.of("release-train.playground.api-key", "release-train.deploy.kubernetes-url"),
            "cdn-service", List.of("release-train.cdn.distribution-id", "release-train.cdn.endpoint"),
            "notify-service", List.of("release-train.slack.token", "release-train.slack.community.token",
                    "release-train.github.token", "release-train.notify.coordinator-url"));

    @Test
    void theProductionProfilePointsAtNoLocalAddressStandInOrDemoPerson() {
        for (String application : APPLICATIONS) {
            Map<String, String> values = values(config(application, "prod"));
            List<String> offending = new ArrayList<>();
            values.forEach((name, value) -> {
                if (NOT_FOR_PRODUCTION.matcher(value).find()) {
                    offending.add(name + "=" + value);
                }
            });
            assertEquals(List.of(), offending, application + " in production");
            assertTrue(values.size() > 10, application + ": its files were read (" + values.size() + " settings)");
        }
    }

    @Test
    void whatADeploymentMustGiveHasNoValueInProductionButTheTestsHaveTheirs() {
        FROM_THE_DEPLOYMENT.forEach((application, names) -> {
            SmallRyeConfig prod = config(application, "prod");
            for (String name : names) {
                assertEquals(Optional.empty(), prod.getOptionalValue(name, String.class), application + " " + name);
            }
        });
        // the profiles split the files, they do not just lack the values
        SmallRyeConfig coordinatorTests = config("coordinator", "test");
        assertEquals(Optional.of("localhost:9092"), coordinatorTests.getOptionalValue("kafka.bootstrap.servers", String.class));
        assertTrue(coordinatorTests.getValue("release-train.calendar.rotation", String.class).contains("alice:U0ALICE"));
        assertEquals(Optional.of("http://localhost:8080"), config("notify-service", "dev")
                .getOptionalValue("release-train.notify.coordinator-url", String.class));
    }

    @Test
    void aSettingFromTheEnvironmentOrTheCommandLineWinsOverTheFiles() {
        SmallRyeConfig prod = builder("coordinator", "prod")
                .withSources(new PropertiesConfigSource(Map.of("kafka.bootstrap.servers", "kafka.internal:9093",
                        "release-train.calendar.zone", "Europe/London"), "the deployment", 300))
                .build();
        assertEquals("kafka.internal:9093", prod.getValue("kafka.bootstrap.servers", String.class));
        assertEquals("Europe/London", prod.getValue("release-train.calendar.zone", String.class));
    }

    /** Every property with a value, expressions as written (so a default such as ${java.io.tmpdir} shows as such). */
    private static Map<String, String> values(SmallRyeConfig config) {
        Map<String, String> values = new TreeMap<>();
        for (String name : config.getPropertyNames()) {
            if (name.startsWith("%")) {
                continue; // another profile's
            }
            String value = Expressions.withoutExpansion(() -> config.getConfigValue(name).getValue());
            if (value != null) {
                values.put(name, value);
            }
        }
        return values;
    }

    private static SmallRyeConfig config(String application, String profile) {
        return builder(application, profile).build();
    }

    /** The application's application.properties (ordinal 250), and worker-runtime's shared file for a service (100). */
    private static SmallRyeConfigBuilder builder(String application, String profile) {
        SmallRyeConfigBuilder builder = new SmallRyeConfigBuilder().addDefaultInterceptors().withProfile(profile)
                .withSources(source(application + "/src/main/resources/application.properties", 250));
        if (!application.equals("coordinator")) {
            builder.withSources(source("worker-runtime/src/main/resources/META-INF/microprofile-config.properties", 100));
        }
        return builder;
    }

    private static PropertiesConfigSource source(String file, int ordinal) {
        Path path = Sources.root().resolve(file);
        try {
            URL url = path.toUri().toURL();
            return new PropertiesConfigSource(url, ordinal);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
