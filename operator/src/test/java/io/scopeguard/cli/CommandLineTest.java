package io.scopeguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.scopeguard.ScopeguardMain;
import io.scopeguard.deletion.Cascade;
import io.scopeguard.deletion.DeletionReport;
import io.scopeguard.deletion.ObjectId;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.List;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

/** What the command line refuses before it reaches any cluster, and which kept lists it shows. */
class CommandLineTest {

  private static String[] run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit =
        ScopeguardMain.run(
            args,
            () -> new BufferedReader(new StringReader("")),
            new PrintWriter(out, true),
            new PrintWriter(err, true));
    return new String[] {String.valueOf(exit), out.toString(), err.toString()};
  }

  @Test
  void aKubeconfigThatIsNotThereIsAnErrorNotAnotherCluster() {
    String[] result = run("status", "--kubeconfig", "/nonexistent/kubeconfig");

    assertThat(result[0]).isEqualTo("2");
    assertThat(result[2])
        .contains("scopeguard status: kubeconfig /nonexistent/kubeconfig is not a file")
        .doesNotContain("Exception");
  }

  @Test
  void aResourceNamedWithoutItsKindIsRefusedWithWhatToType() {
    String[] result = run("explain", "flux-system", "-n", "flux-system");
    assertThat(result[0]).isEqualTo("2");
    assertThat(result[2])
        .contains(
            "scopeguard explain: name the resource as KIND/NAME, e.g. kustomization/flux-system,"
                + " not 'flux-system'");

    assertThat(ResourceName.parse("kustomization/apps", "flux-system").describe())
        .isEqualTo("Kustomization flux-system/apps");
    assertThat(ResourceName.parse("ks/apps", "flux-system").plural()).isEqualTo("kustomizations");
    assertThat(ResourceName.parse("clusteronboardings.example.io/prod", "fleet").group())
        .isEqualTo("example.io");
    Assertions.assertThatThrownBy(() -> ResourceName.parse("apps", "flux-system"))
        .hasMessageContaining("name the resource as KIND/NAME, e.g. kustomization/flux-system");
    Assertions.assertThatThrownBy(() -> ResourceName.parse("deployment/web", "apps"))
        .hasMessageContaining("unknown kind 'deployment'");
  }

  @Test
  void aKeptListIsShownOnlyForTheHoldItWasKeptFor() {
    GenericKubernetesResource held =
        new GenericKubernetesResourceBuilder()
            .withApiVersion("kustomize.toolkit.fluxcd.io/v1")
            .withKind("Kustomization")
            .withNewMetadata()
            .withNamespace("flux-system")
            .withName("apps")
            .endMetadata()
            .build();
    List<Cascade.Deletion> deletions =
        List.of(new Cascade.Deletion(ObjectId.parse("apps_web_apps_Deployment"), null));

    assertThat(Hold.matches(report("Kustomization flux-system/apps", "r2", deletions), held, "r2"))
        .isTrue();
    assertThat(Hold.matches(report("Kustomization flux-system/apps", "r1", deletions), held, "r2"))
        .as("kept for another revision")
        .isFalse();
    assertThat(Hold.matches(report("Kustomization flux-system/web", "r2", deletions), held, "r2"))
        .as("kept for another resource")
        .isFalse();
    DeletionReport unreadable =
        new DeletionReport(
            "Kustomization flux-system/apps",
            "r2",
            null,
            1,
            1,
            1,
            List.of(new DeletionReport.Entry("not-an-inventory-id", null)),
            0);
    assertThat(Hold.matches(unreadable, held, "r2")).as("an id that does not parse").isFalse();
  }

  private static DeletionReport report(
      String subject, String revision, List<Cascade.Deletion> deletions) {
    return DeletionReport.of(subject, revision, null, deletions, 1, 1);
  }
}
