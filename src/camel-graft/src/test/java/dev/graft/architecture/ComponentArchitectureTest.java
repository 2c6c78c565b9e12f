package dev.graft.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The {@code graft:} component is a library any Camel runtime loads: the engine and everything it uses know nothing
 * of the CLI or the service, so that moving those into a module of their own (graft-cli) is a move, not a rewrite.
 */
class ComponentArchitectureTest {

    /** What the component jar will hold: every package but the CLI and the service. */
    static final String[] COMPONENT = {"dev.graft.engine..", "dev.graft.steps..", "dev.graft.metrics..",
            "dev.graft.report..", "dev.graft.data..", "dev.graft.surgery..", "dev.graft.training..",
            "dev.graft.modelio..", "dev.graft.registry..", "dev.graft.evaluation..", "dev.graft.nd4j..",
            "dev.graft.io..", "dev.graft.spi.."};

    @Test
    void theComponentAndItsEngineImportNeitherTheCliNorTheService() {
        JavaClasses graft = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.graft");
        noClasses().that().resideInAnyPackage(COMPONENT)
                .should().dependOnClassesThat().resideInAnyPackage("dev.graft.cli..", "dev.graft.service..",
                        "picocli..")
                .because("the graft: component runs under any Camel runtime, without Graft's CLI or service")
                .check(graft);
    }

    @Test
    void theComponentLogsThroughTheSlf4jApiOnly() {
        JavaClasses graft = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.graft");
        noClasses().that().resideInAnyPackage(COMPONENT)
                .should().dependOnClassesThat().resideInAnyPackage("org.slf4j.simple..", "org.slf4j.impl..",
                        "ch.qos.logback..", "org.apache.logging.log4j..", "java.util.logging..")
                .because("a Camel application chooses its own logging binding")
                .check(graft);
    }
}
