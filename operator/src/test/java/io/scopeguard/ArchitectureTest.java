package io.scopeguard;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The layering, written down so that it cannot drift back: the ClusterScope model at the bottom;
 * the decisions (judges, verdicts, reasons, the approval table, policies, the predictor, the kinds
 * guarded) on the model alone and without a Kubernetes client; Kubernetes I/O (informers, the
 * actuator, status writing, the webhooks, metrics) around them; the runtime on top. Packages point
 * one way.
 */
@AnalyzeClasses(packages = "io.scopeguard", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  private static final String[] DECISIONS = {
    "io.scopeguard.scope..",
    "io.scopeguard.approval..",
    "io.scopeguard.kinds..",
    "io.scopeguard.deletion..",
    "io.scopeguard.flux..",
    "io.scopeguard.capi.."
  };

  @ArchTest
  static final ArchRule layers =
      layeredArchitecture()
          .consideringOnlyDependenciesInLayers()
          .layer("Model")
          .definedBy("io.scopeguard.api..")
          .layer("Decisions")
          .definedBy(DECISIONS)
          .layer("Kubernetes I/O")
          .definedBy(
              "io.scopeguard.guard..",
              "io.scopeguard.webhook..",
              "io.scopeguard.metrics..",
              "io.scopeguard.notify..")
          .layer("Runtime")
          .definedBy("io.scopeguard.runtime..", "io.scopeguard.cli..", "io.scopeguard")
          .whereLayer("Runtime")
          .mayNotBeAccessedByAnyLayer()
          .whereLayer("Kubernetes I/O")
          .mayOnlyBeAccessedByLayers("Runtime")
          .whereLayer("Decisions")
          .mayOnlyBeAccessedByLayers("Kubernetes I/O", "Runtime")
          .whereLayer("Model")
          .mayOnlyBeAccessedByLayers("Decisions", "Kubernetes I/O", "Runtime");

  @ArchTest
  static final ArchRule packagesPointOneWay =
      slices().matching("io.scopeguard.(*)..").should().beFreeOfCycles();

  @ArchTest
  static final ArchRule decisionsTalkToNoApiServer =
      noClasses()
          .that()
          .resideInAnyPackage(DECISIONS)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "io.fabric8.kubernetes.client.dsl..", "io.fabric8.kubernetes.client.informers..")
          .orShould()
          .dependOnClassesThat()
          .haveFullyQualifiedName("io.fabric8.kubernetes.client.KubernetesClient");
}
