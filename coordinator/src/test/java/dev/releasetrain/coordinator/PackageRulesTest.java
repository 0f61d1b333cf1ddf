package dev.releasetrain.coordinator;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The coordinator's packages: no cycles between them, every class in one of them, the release rules
 * knowing nothing of how events leave (the release log's listeners publish them), and Kafka read in
 * {@code bus} only. The rules between modules are checked on the whole build by the cli's
 * {@code ModuleRulesTest}. Plain JUnit tests over ArchUnit rules, so {@code -Dtest=} selects them.
 */
class PackageRulesTest {
    private static final String ROOT = "dev.releasetrain.coordinator";

    static JavaClasses classes;

    @BeforeAll
    static void importTheCoordinator() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages(ROOT);
        assertTrue(classes.contain(ROOT + ".release.Releases"), "the coordinator's production classes were imported");
    }

    @Test
    void packagesAreFreeOfCycles() {
        slices().matching(ROOT + ".(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void everyClassIsInAPackageOfItsOwn() {
        noClasses().should().resideInAPackage(ROOT)
                .because("a class in the root package is in no slice, so a cycle through it goes unseen")
                .check(classes);
    }

    @Test
    void releasesDoNotKnowHowEventsLeave() {
        noClasses().that().resideInAPackage(ROOT + ".release..")
                .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".relay..", ROOT + ".live..", ROOT + ".bus..", ROOT + ".api..")
                .because("what an append commits goes out through the release log's listeners")
                .check(classes);
    }

    @Test
    void liveServesServerSentEventsOnly() {
        noClasses().that().resideInAPackage(ROOT + ".live..")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka..", ROOT + ".bus..")
                .because("the inbound Kafka adapters are in the bus package")
                .check(classes);
    }
}
