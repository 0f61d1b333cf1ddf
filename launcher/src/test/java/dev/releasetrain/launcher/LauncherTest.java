package dev.releasetrain.launcher;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The {@code release-train} launcher script itself, run from a copy laid out like a fresh clone (no
 * {@code launcher/target/.release-train-built}) with a stub {@code ./mvnw} standing in for the build and a stub
 * {@code java} on the PATH standing in for the CLI. The script must build, print one line per module, mark
 * the tree built and hand over to the CLI, and it must return however the build behaves: a hang shows as
 * the script still running after {@link #TIMEOUT_SECONDS}.
 */
class LauncherTest {
    static final long TIMEOUT_SECONDS = 60;
    static final List<String> APPS = List.of("coordinator", "git-service", "deploy-service", "cdn-service", "notify-service");
    static final List<String> MODULES = List.of("protocol", "local-infra", "worker-runtime", "coordinator", "git-service",
            "deploy-service", "cdn-service", "notify-service", "cli", "launcher");

    @TempDir
    Path repo;

    Path marker;

    @BeforeEach
    void freshClone() throws IOException {
        assumeTrue(new File("/bin/bash").canExecute() || new File("/usr/bin/bash").canExecute(), "the launcher is a bash script");
        Path script = Stack.home().resolve("release-train");
        Files.copy(script, repo.resolve("release-train"), StandardCopyOption.COPY_ATTRIBUTES);
        for (String app : APPS) {
            Files.createDirectories(repo.resolve(app).resolve("src/main/java"));
        }
        Files.writeString(repo.resolve("pom.xml"), "<project/>\n");
        marker = repo.resolve("launcher/target/.release-train-built");
        // the CLI: prints what it was started with, so the test sees the hand-over
        executable(repo.resolve("bin/java"), """
                #!/usr/bin/env bash
                echo "stub java: $*"
                exit 0
                """);
    }

    @Test
    void buildsPrintsOneLinePerModuleMarksTheTreeBuiltAndRunsTheCli() throws Exception {
        stubBuild(modulesLines() + jars() + "echo '[INFO] BUILD SUCCESS'\nexit 0\n");

        Run run = launch("demo", "--version", "1.29.0");

        assertEquals(0, run.exit, run.toString());
        List<String> building = run.stdout.lines().filter(l -> l.startsWith("  building ")).collect(Collectors.toList());
        assertEquals(MODULES.stream().map(m -> "  building " + m).collect(Collectors.toList()), building, run.toString());
        assertTrue(Files.isRegularFile(marker), "the built marker: " + run);
        assertTrue(run.stdout.contains("stub java: ") && run.stdout.contains("dev.releasetrain.launcher.Launcher demo --version 1.29.0"),
                "the CLI was started with the arguments: " + run);
        assertTrue(Files.readString(repo.resolve("launcher/target/release-train-build.log")).contains("[INFO] BUILD SUCCESS"),
                "the whole build output is in the log");

        // built now: the next run starts the CLI without building
        Files.writeString(repo.resolve("mvnw"), "#!/usr/bin/env bash\necho 'built again' >> built-again\nexit 1\n");
        Run again = launch("status", "1.29.0");
        assertEquals(0, again.exit, again.toString());
        assertFalse(Files.exists(repo.resolve("built-again")), "no second build: " + again);
        assertTrue(again.stdout.contains("dev.releasetrain.launcher.Launcher status 1.29.0"), again.toString());
    }

    @Test
    void aBuildThatEndsAtOnceStillHandsOver() throws Exception {
        // no output at all, over before anything could start following it
        stubBuild(jars() + "exit 0\n");

        Run run = launch("demo");

        assertEquals(0, run.exit, run.toString());
        assertTrue(Files.isRegularFile(marker), run.toString());
        assertTrue(run.stdout.contains("dev.releasetrain.launcher.Launcher demo"), run.toString());
    }

    @Test
    void aBuildThatPrintsALotAndEndsWithoutANewlineStillHandsOver() throws Exception {
        stubBuild(modulesLines() + "for i in $(seq 1 5000); do echo \"[INFO] Downloaded from central: artifact-$i.jar\"; done\n"
                + jars() + "printf '[INFO] BUILD SUCCESS'\nexit 0\n");

        Run run = launch("demo");

        assertEquals(0, run.exit, run.toString());
        assertEquals(MODULES.size(), run.stdout.lines().filter(l -> l.startsWith("  building ")).count(), run.toString());
        String log = Files.readString(repo.resolve("launcher/target/release-train-build.log"));
        assertTrue(log.contains("artifact-5000.jar") && log.endsWith("[INFO] BUILD SUCCESS\n"), "the log has every line, the last one too");
    }

    @Test
    void aFailedBuildEndsWithItsErrorsAndDoesNotRunTheCli() throws Exception {
        stubBuild(modulesLines() + """
                echo '[INFO] -------------------------------------------------------------'
                echo '[ERROR] COMPILATION ERROR :'
                echo '[ERROR] /repo/coordinator/src/main/java/Foo.java:[3,1] cannot find symbol'
                echo '[INFO] BUILD FAILURE'
                exit 1
                """);

        Run run = launch("demo");

        assertNotEquals(0, run.exit, run.toString());
        assertTrue(run.stderr.contains("the build failed"), run.toString());
        assertTrue(run.stderr.contains("[ERROR] /repo/coordinator/src/main/java/Foo.java:[3,1] cannot find symbol"), run.toString());
        assertFalse(run.stdout.contains("stub java"), "the CLI does not start after a failed build: " + run);
        assertFalse(Files.exists(marker), "no built marker after a failed build");
    }

    private Run launch(String... args) throws Exception {
        Path out = Files.createTempFile(repo, "stdout", ".txt");
        Path err = Files.createTempFile(repo, "stderr", ".txt");
        List<String> command = new java.util.ArrayList<>(List.of("bash", repo.resolve("release-train").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(repo.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                // files, not pipes: a process the script left behind holding its output cannot hide that the script returned
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("PATH", repo.resolve("bin") + File.pathSeparator + System.getenv("PATH"));
        Process p = pb.start();
        boolean returned = p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (!returned) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        Run run = new Run(returned ? p.exitValue() : -1, Files.readString(out), Files.readString(err));
        assertTrue(returned, "the launcher did not return within " + TIMEOUT_SECONDS + " s: " + run);
        return run;
    }

    private void stubBuild(String body) throws IOException {
        executable(repo.resolve("mvnw"), "#!/usr/bin/env bash\n" + body);
    }

    private static String modulesLines() {
        StringBuilder sb = new StringBuilder("echo '[INFO] Scanning for projects...'\n");
        int i = 1;
        for (String m : MODULES) {
            sb.append("echo '[INFO] ------------------------< dev.releasetrain:").append(m).append(" >------------------------'\n");
            sb.append("echo '[INFO] Building Release Train :: ").append(m).append(" 0.1.0-SNAPSHOT [").append(i++)
                    .append('/').append(MODULES.size()).append("]'\n");
            sb.append("echo '[INFO] --- compiler:3.14.0:compile (default-compile) @ ").append(m).append(" ---'\n");
        }
        return sb.toString();
    }

    private static String jars() {
        StringBuilder sb = new StringBuilder();
        for (String app : APPS) {
            sb.append("mkdir -p ").append(app).append("/target/quarkus-app && touch ").append(app).append("/target/quarkus-app/quarkus-run.jar\n");
        }
        return sb.toString();
    }

    private static void executable(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    record Run(int exit, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }
}
