package dev.graft.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The directions across the two modules, seen from graft-cli, where both are on the class path: the CLI uses the
 * service, never the reverse; neither is imported by camel-graft (its build cannot see them, and this checks the
 * classes themselves); the built-in steps stay reachable only through the SPI; no package cycles in all of Graft.
 * camel-graft's own ArchitectureTest and ComponentArchitectureTest check the rest inside that module.
 */
class CliArchitectureTest {

    private static JavaClasses graft;

    @BeforeAll
    static void importGraft() {
        graft = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(location -> !location.contains("-tests.jar"))
                .importPackages("dev.graft");
    }

    @Test
    void bothModulesAreOnTheClassPath() {
        // guards the rules below against passing on an empty import
        org.assertj.core.api.Assertions.assertThat(graft.contain("dev.graft.cli.GraftCli")).isTrue();
        org.assertj.core.api.Assertions.assertThat(graft.contain("dev.graft.engine.GraftComponent")).isTrue();
        org.assertj.core.api.Assertions.assertThat(graft.contain("dev.graft.service.GraftService")).isTrue();
    }

    @Test
    void theServiceKnowsNothingOfTheCommandLine() {
        noClasses().that().resideInAPackage("dev.graft.service..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.graft.cli..", "picocli..")
                .because("graft serve's HTTP API and run store are the service; picocli parses only the command line")
                .check(graft);
    }

    @Test
    void nothingOfCamelGraftImportsTheCliOrTheService() {
        noClasses().that().resideInAnyPackage(ComponentArchitectureTest.COMPONENT)
                .should().dependOnClassesThat().resideInAnyPackage("dev.graft.cli..", "dev.graft.service..")
                .because("camel-graft is the component any Camel runtime loads")
                .check(graft);
    }

    @Test
    void nothingImportsTheBuiltInSteps() {
        noClasses().that().resideOutsideOfPackage("dev.graft.steps..")
                .should().dependOnClassesThat().resideInAPackage("dev.graft.steps..")
                .because("built-in steps are found through the SPI like any plugin")
                .check(graft);
    }

    @Test
    void noPackageCyclesAcrossBothModules() {
        slices().matching("dev.graft.(**)").should().beFreeOfCycles().check(graft);
    }
}
