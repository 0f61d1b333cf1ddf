package dev.releasetrain.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged client, {@code target/release-train.jar}, run as {@code java -jar}: one file with its dependencies, a
 * client of the REST API only (no Kafka, database or Quarkus classes in it).
 */
class ReleaseTrainJarIT {
    private static final Path JAR = Path.of("target/release-train.jar");

    record Run(int exit, String out, String err) {
    }

    @Test
    void theJarRunsTheCommandsAndPrintsTheCompletionScript() throws Exception {
        Run help = run("--help");
        assertEquals(0, help.exit(), help.err());
        assertTrue(help.out().startsWith("Usage: release-train"), help.out());
        assertTrue(help.out().contains("generate-completion"), help.out());

        Run completion = run("generate-completion");
        assertEquals(0, completion.exit(), completion.err());
        assertTrue(completion.out().contains("complete -F") && completion.out().contains("timeline"), completion.out());
    }

    @Test
    void aCoordinatorThatDoesNotAnswerIsAFailureNamingTheUrl() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort(); // nothing listens there once it is closed
        }
        String url = "http://127.0.0.1:" + closed;
        Run status = run("status", "1.29.0", "--url", url);
        assertEquals(1, status.exit(), status.out() + status.err());
        assertTrue((status.out() + status.err()).contains(url), status.out() + status.err());
    }

    @Test
    void theJarHoldsNoInfrastructure() throws IOException {
        List<String> infrastructure = new ArrayList<>();
        try (JarFile jar = new JarFile(JAR.toFile())) {
            jar.stream().map(e -> e.getName())
                    .filter(n -> n.startsWith("org/apache/kafka/") || n.startsWith("io/quarkus/") || n.startsWith("org/postgresql/")
                            || n.startsWith("io/debezium/") || n.startsWith("dev/releasetrain/sandbox/"))
                    .limit(5).forEach(infrastructure::add);
            assertEquals("dev.releasetrain.cli.ReleaseTrain", jar.getManifest().getMainAttributes().getValue("Main-Class"));
        }
        assertEquals(List.of(), infrastructure);
    }

    private static Run run(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile("release-train-jar-", ".out");
        Path err = Files.createTempFile("release-train-jar-", ".err");
        try {
            Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("release-train " + String.join(" ", args) + " did not return within 60 s");
            }
            return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
