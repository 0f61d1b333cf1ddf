package dev.releasetrain.cli;

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
import java.util.Set;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rules between the modules, checked on the production classes of the whole build (each module's
 * {@code target/classes}; the cli is built after every other module, so they are there): the services
 * import neither the coordinator nor each other, and production code imports neither the sandbox nor the
 * local infrastructure, except the launcher classes of the cli that start the embedded stack ({@code up},
 * {@code demo}, {@code bench}) and read the sandbox back.
 */
class ModuleRulesTest {
    static final List<String> MODULES = List.of("protocol", "infra/local", "infra/sandbox", "worker-runtime", "coordinator",
            "git-service", "deploy-service", "cdn-service", "notify-service", "cli");
    static final List<String> SERVICES = List.of("dev.releasetrain.git..", "dev.releasetrain.deploy..", "dev.releasetrain.cdn..",
            "dev.releasetrain.notify..");
    static final String COORDINATOR = "dev.releasetrain.coordinator..";
    static final String[] TEST_INFRASTRUCTURE = {"dev.releasetrain.sandbox..", "dev.releasetrain.local.."};
    /**
     * The cli classes that start the embedded stack (Kafka, PostgreSQL, the sandbox) or drive and read the
     * sandbox: {@code Stack}, {@code Bench}, {@code FailOnce} and {@code SandboxFacts} import it; {@code Demo}
     * and the {@code up} command call the {@link Stack}'s sandbox. Nested classes count
     * as their outer class; of {@code ReleaseTrain}, only the {@code up} command.
     */
    static final Set<String> LAUNCHERS = Set.of("dev.releasetrain.cli.Stack", "dev.releasetrain.cli.Bench",
            "dev.releasetrain.cli.Demo", "dev.releasetrain.cli.FailOnce", "dev.releasetrain.cli.SandboxFacts",
            "dev.releasetrain.cli.ReleaseTrain$UpCommand", "dev.releasetrain.cli.Effects");

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
            assertTrue(Files.isDirectory(dir), dir + " is missing: build the modules first (./mvnw -pl cli -am test)");
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
    void onlyTheLaunchersImportTheSandboxOrTheLocalInfrastructure() {
        productionCodeUsesNoTestInfrastructure().check(classes);
    }

    static ArchRule productionCodeUsesNoTestInfrastructure() {
        return noClasses().that().resideOutsideOfPackages(TEST_INFRASTRUCTURE).and(DescribedPredicate.not(launcher()))
                .should().dependOnClassesThat().resideInAnyPackage(TEST_INFRASTRUCTURE)
                .because("the stand-ins and the embedded Kafka and PostgreSQL are for tests, the demo and the bench");
    }

    /** A launcher class or one nested in it. */
    static DescribedPredicate<JavaClass> launcher() {
        return DescribedPredicate.describe("are cli launchers " + LAUNCHERS,
                c -> LAUNCHERS.stream().anyMatch(l -> c.getName().equals(l) || c.getName().startsWith(l + "$")));
    }

    /**
     * The import found every module, and the rules see dependencies: without the launchers' exemption,
     * the launchers' own imports of the sandbox break the rule.
     */
    @Test
    void theRulesSeeTheWholeBuild() {
        for (String c : List.of("dev.releasetrain.protocol.Envelope", "dev.releasetrain.coordinator.release.Releases",
                "dev.releasetrain.sandbox.Sandbox", "dev.releasetrain.cli.Stack")) {
            assertTrue(classes.contain(c), c + " was imported");
        }
        assertTrue(classes.stream().anyMatch(resideInAnyPackage(SERVICES.toArray(String[]::new))), "the services' classes were imported");
        assertThrows(AssertionError.class, () -> noClasses().that().resideOutsideOfPackages(TEST_INFRASTRUCTURE)
                .should().dependOnClassesThat().resideInAnyPackage(TEST_INFRASTRUCTURE).check(classes));
    }
}
