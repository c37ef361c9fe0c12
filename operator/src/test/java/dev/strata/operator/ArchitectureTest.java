package dev.strata.operator;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * How the code is cut, as rules that fail the build: the operator's packages form no cycle (the
 * root package is the kernel every package may use, and uses none of them; only app/ wires them
 * all), and the engine holds no Kubernetes code, nor anything of the operator or the CLI. The
 * runner's contract (engine.report) stands on its own.
 */
class ArchitectureTest {

  static JavaClasses strata;

  @BeforeAll
  static void importClasses() {
    strata =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.strata");
  }

  @Test
  void theOperatorsPackagesFormNoCycle() {
    slices().matching("dev.strata.operator.(*)..").should().beFreeOfCycles().check(strata);
  }

  @Test
  void theKernelDependsOnNoPackageOfTheOperator() {
    noClasses()
        .that()
        .resideInAPackage("dev.strata.operator")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.strata.operator.*..")
        .check(strata);
  }

  @Test
  void onlyTheApplicationKnowsTheApplication() {
    noClasses()
        .that()
        .resideOutsideOfPackage("dev.strata.operator.app..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.strata.operator.app..")
        .check(strata);
  }

  @Test
  void theEngineHoldsNoKubernetesCode() {
    noClasses()
        .that()
        .resideInAPackage("dev.strata.engine..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.fabric8..",
            "io.javaoperatorsdk..",
            "dev.strata.api..",
            "dev.strata.operator..",
            "dev.strata.cli..",
            "picocli..")
        .check(strata);
  }

  @Test
  void theRunnersContractStandsOnItsOwn() {
    classes()
        .that()
        .resideInAPackage("dev.strata.engine.report..")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage("dev.strata.engine.report..", "java..", "com.fasterxml.jackson..")
        .check(strata);
  }
}
