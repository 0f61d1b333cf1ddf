package dev.releasetrain.launcher;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rules between the modules, checked on the production classes of the whole build (each module's
 * {@code target/classes}; the launcher is built after every other module, so they are there): the services
 * import neither the coordinator nor each other, the cli is a pure REST client (it imports neither the local
 * infrastructure, the sandbox, the worker runtime nor the coordinator), and production code imports neither the
 * sandbox nor the local infrastructure, except the launcher, which starts the embedded stack ({@code up},
 * {@code demo}, {@code bench}) and reads the sandbox back.
 */
class ModuleRulesTest {
    static final List<String> MODULES = List.of("protocol", "infra/local", "infra/sandbox", "worker-runtime", "coordinator",
            "git-service", "deploy-service", "cdn-service", "notify-service", "cli", "launcher");
    static final List<String> SERVICES = List.of("dev.releasetrain.git..", "dev.releasetrain.deploy..", "dev.releasetrain.cdn..",
            "dev.releasetrain.notify..");
    static final String COORDINATOR = "dev.releasetrain.coordinator..";
    static final String[] TEST_INFRASTRUCTURE = {"dev.releasetrain.sandbox..", "dev.releasetrain.local.."};
    static final String CLI = "dev.releasetrain.cli..";
    /** What the REST client must not need: the embedded stack, the stand-ins, the worker runtime, the coordinator. */
    static final String[] NOT_FOR_THE_CLI = {"dev.releasetrain.local..", "dev.releasetrain.sandbox..", "dev.releasetrain.worker..",
            COORDINATOR};
    /** The launcher module: it starts the embedded stack (Kafka, PostgreSQL, the sandbox) and drives and reads the sandbox. */
    static final String LAUNCHER = "dev.releasetrain.launcher..";
    /** The bench, which fills the release log and folds timelines with the coordinator's own classes. */
    static final String BENCH = "dev.releasetrain.launcher.bench..";
    /** What the bench may use of the coordinator: the release log and the timeline. */
    static final String[] COORDINATOR_FOR_THE_BENCH = {"dev.releasetrain.coordinator.log..", "dev.releasetrain.coordinator.timeline.."};

    static JavaClasses classes;

    @BeforeAll
    static void importTheBuild() {
        Path root = Path.of("").toAbsolutePath();
        while (root != null && !Files.exists(root.resolve("mvnw"))) {
            root = root.getParent();
        }
        assertTrue(root != null, "the project's root (with mvnw) is above " + Path.of("").toAbsolutePath());
        List<Path> dirs = new ArrayList<>();
        for (String module : MODULES) {
            Path dir = root.resolve(module).resolve("target/classes");
            assertTrue(Files.isDirectory(dir), dir + " is missing: build the modules first (./mvnw -pl launcher -am test)");
            dirs.add(dir);
        }
        classes = new ClassFileImporter().importPaths(dirs);
    }

    @Test
    void servicesImportNeitherTheCoordinatorNorEachOther() {
        for (String service : SERVICES) {
            List<String> others = new ArrayList<>(SERVICES);
            others.remove(service);
            others.add(COORDINATOR);
            noClasses().that().resideInAPackage(service)
                    .should().dependOnClassesThat().resideInAnyPackage(others.toArray(String[]::new))
                    .check(classes);
        }
    }

    @Test
    void theCliIsAPureRestClient() {
        noClasses().that().resideInAPackage(CLI)
                .should().dependOnClassesThat().resideInAnyPackage(NOT_FOR_THE_CLI)
                .because("the cli talks to a running coordinator over REST and nothing else")
                .check(classes);
    }

    @Test
    void onlyTheBenchImportsTheCoordinatorAndOnlyItsLogAndTimeline() {
        noClasses().that().resideOutsideOfPackages(COORDINATOR, BENCH)
                .should().dependOnClassesThat().resideInAPackage(COORDINATOR)
                .because("the coordinator is reached over REST and Kafka; only the bench writes and folds its log in-process")
                .check(classes);
        noClasses().that().resideInAPackage(BENCH)
                .should().dependOnClassesThat(JavaClass.Predicates.resideInAPackage(COORDINATOR)
                        .and(DescribedPredicate.not(resideInAnyPackage(COORDINATOR_FOR_THE_BENCH))))
                .check(classes);
    }

    @Test
    void onlyTheLauncherImportsTheSandboxOrTheLocalInfrastructure() {
        productionCodeUsesNoTestInfrastructure().check(classes);
    }

    static ArchRule productionCodeUsesNoTestInfrastructure() {
        return noClasses().that().resideOutsideOfPackages(TEST_INFRASTRUCTURE).and().resideOutsideOfPackage(LAUNCHER)
                .should().dependOnClassesThat().resideInAnyPackage(TEST_INFRASTRUCTURE)
                .because("the stand-ins and the embedded Kafka and PostgreSQL are for tests, the demo and the bench");
    }

    /**
     * The import found every module, and the rules see dependencies: without the launcher's exemption,
     * the launcher's own imports of the sandbox break the rule.
     */
    @Test
    void theRulesSeeTheWholeBuild() {
        for (String c : List.of("dev.releasetrain.protocol.Envelope", "dev.releasetrain.coordinator.release.Releases",
                "dev.releasetrain.sandbox.Sandbox", "dev.releasetrain.launcher.Stack", "dev.releasetrain.cli.ApiCommands")) {
            assertTrue(classes.contain(c), c + " was imported");
        }
        assertTrue(classes.stream().anyMatch(resideInAnyPackage(SERVICES.toArray(String[]::new))), "the services' classes were imported");
        assertThrows(AssertionError.class, () -> noClasses().that().resideOutsideOfPackages(TEST_INFRASTRUCTURE)
                .should().dependOnClassesThat().resideInAnyPackage(TEST_INFRASTRUCTURE).check(classes));
    }
}
