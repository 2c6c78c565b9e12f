package dev.graft.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The directions of the architecture (README, "Layout of the project"): the SPI is a leaf; the domain packages
 * know nothing of Camel, the CLI or the service; nothing depends on the built-in steps; no package cycles.
 */
class ArchitectureTest {

    /** The packages that hold Graft's domain: plain Java over DL4J, usable without Camel. */
    static final String[] DOMAIN = {"dev.graft.data..", "dev.graft.surgery..", "dev.graft.training..",
            "dev.graft.modelio..", "dev.graft.registry..", "dev.graft.evaluation..", "dev.graft.nd4j..",
            "dev.graft.io.."};

    private static JavaClasses graft;

    @BeforeAll
    static void importGraft() {
        graft = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.graft");
    }

    @Test
    void theSpiImportsNothingOfGraftsOwn() {
        ArchRule rule = noClasses().that().resideInAPackage("dev.graft.spi..")
                .should().dependOnClassesThat().resideOutsideOfPackages("dev.graft.spi..", "java..", "javax..",
                        "org.deeplearning4j..", "org.nd4j..", "org.slf4j..")
                .because("plugins compile against graft-spi alone");
        rule.check(graft);
    }

    @Test
    void theDomainImportsNoCamelNoCliNoServiceAndNoEngine() {
        ArchRule rule = noClasses().that().resideInAnyPackage(DOMAIN)
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.camel..", "picocli..",
                        "dev.graft.cli..", "dev.graft.service..", "dev.graft.engine..", "dev.graft.steps..")
                .because("the domain is plain Java that the Camel component, the CLI and the service use");
        rule.check(graft);
    }

    @Test
    void nothingImportsTheBuiltInSteps() {
        ArchRule rule = noClasses().that().resideOutsideOfPackage("dev.graft.steps..")
                .should().dependOnClassesThat().resideInAPackage("dev.graft.steps..")
                .because("built-in steps are found through the SPI like any plugin");
        rule.check(graft);
    }

    @Test
    void noPackageCycles() {
        slices().matching("dev.graft.(**)").should().beFreeOfCycles().check(graft);
    }
}
