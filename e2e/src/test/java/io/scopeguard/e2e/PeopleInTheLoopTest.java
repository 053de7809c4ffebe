package io.scopeguard.e2e;

import static io.scopeguard.demo.IncidentBScenario.EMPTY_REVISION;
import static io.scopeguard.demo.IncidentBScenario.FLUX;
import static io.scopeguard.demo.IncidentBScenario.PROD_FLEET;
import static io.scopeguard.demo.IncidentBScenario.TEST_FLEET;
import static io.scopeguard.demo.IncidentBScenario.fleetObjects;
import static io.scopeguard.demo.IncidentBScenario.kustomization;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.scopeguard.ScopeguardMain;
import io.scopeguard.api.ClusterScope;
import io.scopeguard.api.ClusterTarget;
import io.scopeguard.api.SourceRule;
import io.scopeguard.approval.Annotations;
import io.scopeguard.demo.FleetRepository;
import io.scopeguard.demo.IncidentBScenario;
import io.scopeguard.runtime.OperatorSettings;
import io.scopeguard.testkit.FluxObjects;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Incident B with people in the loop: the person on call sees what is held ({@code status}), the
 * exact list the held revision would delete, cascade included, and the source change behind it
 * ({@code explain}), approves it after a confirmation ({@code approve}), and is told through Flux's
 * notification-controller (a stand-in that accepts only Flux's event payload). The commands run as
 * {@code kubectl scopeguard} runs them: the jar's main entry, a kubeconfig, the user's own
 * credentials.
 */
class PeopleInTheLoopTest {

  static final StandInNotificationController NOTIFICATIONS = StandInNotificationController.start();

  @RegisterExtension
  static final E2eCluster CLUSTER =
      new E2eCluster(
          settings ->
              settings
                  .withWebhook(OperatorSettings.Webhook.onLoopback())
                  .withNotificationUrl(Optional.of(NOTIFICATIONS.url())));

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PERSON = "alice@acme.example";

  private final IncidentBScenario scenario = new IncidentBScenario();

  @AfterEach
  void stopStandIns() {
    scenario.close();
  }

  @AfterAll
  static void stopNotifications() {
    NOTIFICATIONS.close();
  }

  /** What one command printed and returned. */
  record Run(int exit, String out, String err) {}

  private static Run cli(String typed, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(CLUSTER.cliTarget(PERSON));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit =
        ScopeguardMain.run(
            all.toArray(String[]::new),
            () -> new BufferedReader(new StringReader(typed)),
            new PrintWriter(out, true),
            new PrintWriter(err, true));
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void theOnCallPersonSeesExactlyWhatWouldGoApprovesItAndIsTold() throws Exception {
    scenario.setUp(CLUSTER.scenario());
    CLUSTER
        .client()
        .resources(ClusterScope.class)
        .withName(FleetRepository.SCOPE)
        .edit(
            scope -> {
              scope.getSpec().setContacts(List.of("#prod-oncall", "sre@acme.example"));
              return scope;
            });
    List<String> fleet = fleetObjects(CLUSTER.client());
    scenario.repointAtEmptyRepository(CLUSTER.scenario());
    Run status = cli("", "status");
    assertThat(status.exit()).as(status.err()).isZero();
    String header = status.out().lines().findFirst().orElse("");
    assertThat(header)
        .as("the context and API server come first")
        .matches("Context \\S+, API server https?://\\S+");
    String server = header.substring(header.indexOf("API server ") + "API server ".length());
    assertThat(status.out())
        .contains("contacts: #prod-oncall, sre@acme.example")
        .contains("HELD  Kustomization flux-system/flux-system  MassDeletion")
        .contains("revision " + EMPTY_REVISION)
        .contains("approve: kubectl scopeguard approve kustomization/flux-system -n flux-system")
        .contains(
            "or: kubectl -n flux-system annotate kustomization flux-system scopeguard.io/approve="
                + EMPTY_REVISION)
        .contains("1 held, 0 recorded under Audit.");

    assertThat(CLUSTER.client().v1().events().inNamespace(FLUX).list().getItems())
        .as("kubectl describe gitrepository flux-system points at the held consumer")
        .anyMatch(
            event ->
                event.getInvolvedObject().getKind().equals("GitRepository")
                    && event.getReason().equals("ConsumerHeld")
                    && event
                        .getMessage()
                        .contains(
                            "kubectl scopeguard explain kustomization/flux-system -n flux-system"));

    Run explained = cli("", "explain", "kustomization/flux-system", "-n", FLUX, "-o", "json");
    assertThat(explained.exit()).as(explained.err()).isZero();
    JsonNode report = JSON.readTree(explained.out());
    assertThat(report.path("server").asText()).isEqualTo(server);
    assertThat(report.path("reason").asText()).isEqualTo("MassDeletion");
    assertThat(report.path("token").asText()).isEqualTo(EMPTY_REVISION);
    assertThat(report.path("omitted").asInt()).isZero();
    List<String> listed = new ArrayList<>();
    report.path("deletions").forEach(entry -> listed.add(asFleetName(entry)));
    assertThat(listed)
        .as("exactly the fleet as it exists, cascade included, each once")
        .containsExactlyInAnyOrderElementsOf(fleet);
    assertThat(report.path("deleting").asInt()).isEqualTo(fleet.size());
    assertThat(report.path("deletions"))
        .as("a release's objects are taken by the HelmRelease, a workload by its child")
        .anyMatch(
            entry ->
                entry.path("kind").asText().equals("ConfigMap")
                    && entry.path("namespace").asText().equals("podinfo")
                    && entry.path("via").path("kind").asText().equals("HelmRelease"))
        .anyMatch(
            entry ->
                entry.path("kind").asText().equals("Deployment")
                    && entry.path("via").path("kind").asText().equals("Kustomization"))
        .anyMatch(
            entry ->
                entry.path("kind").asText().equals("Kustomization")
                    && entry.path("via").isMissingNode());
    assertThat(report.path("source").path("kind").asText()).isEqualTo("GitRepository");
    assertThat(report.path("source").path("previousUrl").asText()).isEqualTo(PROD_FLEET);
    assertThat(report.path("source").path("url").asText()).isEqualTo(TEST_FLEET);
    assertThat(report.path("source").path("appliedRevision").asText())
        .isEqualTo("main@sha1:" + "a".repeat(40));

    Run text = cli("", "explain", "kustomization/flux-system", "-n", FLUX);
    assertThat(text.exit()).as(text.err()).isZero();
    assertThat(text.out())
        .contains("Kustomization flux-system/flux-system is held by scopeguard: MassDeletion")
        .contains(PROD_FLEET + "  ->  " + TEST_FLEET)
        .contains("namespace podinfo")
        .contains("via HelmRelease podinfo/podinfo")
        .contains("cluster-scoped");

    Run otherToken =
        cli(
            "yes\n",
            "approve",
            "kustomization/flux-system",
            "-n",
            FLUX,
            "--token",
            "main@sha1:" + "b".repeat(40));
    assertThat(otherToken.exit()).isEqualTo(1);
    assertThat(otherToken.err())
        .contains("what is held is not what you meant to approve; nothing written");

    Run declined = cli("no\n", "approve", "kustomization/flux-system", "-n", FLUX);
    assertThat(declined.exit()).isEqualTo(1);
    assertThat(declined.out())
        .contains("token: " + EMPTY_REVISION)
        .contains("Type yes to approve")
        .contains("Not approved; nothing written.");
    assertThat(FluxObjects.annotation(kustomization(CLUSTER.client(), FLUX), Annotations.APPROVE))
        .as("nothing written without a yes")
        .isNull();
    assertThat(fleetObjects(CLUSTER.client())).containsExactlyInAnyOrderElementsOf(fleet);

    Run approved =
        cli("yes\n", "approve", "kustomization/flux-system", "-n", FLUX, "--wait", "60s");
    assertThat(approved.exit()).as(approved.out() + approved.err()).isZero();
    assertThat(approved.out()).contains("Resumed by scopeguard.");
    if (CLUSTER.embedded()) {
      assertThat(approved.out()).contains("recorded the approver as " + PERSON);
    }
    CLUSTER
        .scenario()
        .await(
            "the approved prune to go through",
            () -> fleetObjects(CLUSTER.client()).isEmpty() ? true : null);

    CLUSTER
        .scenario()
        .await(
            "the hold, the refusal and the approval to reach notification-controller",
            () ->
                NOTIFICATIONS.about("Kustomization", FLUX).stream()
                            .anyMatch(e -> e.path("reason").asText().equals("Approved"))
                        && !NOTIFICATIONS.about("GitRepository", FLUX).isEmpty()
                    ? true
                    : null);
    assertThat(NOTIFICATIONS.refusals()).as("every event had Flux's shape").isEmpty();
    JsonNode hold =
        NOTIFICATIONS.about("Kustomization", FLUX).stream()
            .filter(e -> e.path("reason").asText().equals("MassDeletion"))
            .findFirst()
            .orElseThrow();
    assertThat(hold.path("severity").asText()).isEqualTo("error");
    assertThat(hold.path("reportingController").asText()).isEqualTo("scopeguard");
    assertThat(hold.path("involvedObject").path("apiVersion").asText())
        .startsWith("kustomize.toolkit.fluxcd.io/");
    assertThat(hold.path("message").asText()).contains("would delete " + fleet.size());
    assertThat(hold.path("metadata").path("revision").asText()).isEqualTo(EMPTY_REVISION);
    assertThat(hold.path("metadata").path("scope").asText()).isEqualTo(FleetRepository.SCOPE);
    assertThat(hold.path("metadata").path("environment").asText()).isEqualTo("production");
    assertThat(hold.path("metadata").path("contacts").asText())
        .isEqualTo("#prod-oncall, sre@acme.example");
    JsonNode refusal =
        NOTIFICATIONS.about("GitRepository", FLUX).stream()
            .filter(e -> e.path("reason").asText().equals("RevisionRefused"))
            .findFirst()
            .orElseThrow();
    assertThat(refusal.path("reason").asText()).isEqualTo("RevisionRefused");
    assertThat(refusal.path("metadata").path("revision").asText()).isEqualTo(EMPTY_REVISION);
    assertThat(refusal.path("message").asText()).contains("Kustomization flux-system/flux-system");
    JsonNode approval =
        NOTIFICATIONS.about("Kustomization", FLUX).stream()
            .filter(e -> e.path("reason").asText().equals("Approved"))
            .findFirst()
            .orElseThrow();
    assertThat(approval.path("severity").asText()).isEqualTo("info");
    assertThat(approval.path("metadata").path("token").asText()).isEqualTo(EMPTY_REVISION);
    if (CLUSTER.embedded()) {
      assertThat(approval.path("metadata").path("approver").asText()).isEqualTo(PERSON);
    }
    assertThat(
            FluxObjects.annotation(kustomization(CLUSTER.client(), FLUX), Annotations.PREDICTION))
        .as("the prediction goes with the hold")
        .isNull();
  }

  @Test
  void preflightNamesTheClusterAndJudgesASourceUrlAsTheScopeWould() {
    if (CLUSTER.client().namespaces().withName("kube-system").get() == null) {
      CLUSTER
          .client()
          .namespaces()
          .resource(
              new NamespaceBuilder()
                  .withNewMetadata()
                  .withName("kube-system")
                  .endMetadata()
                  .build())
          .create();
    }
    String uid = CLUSTER.client().namespaces().withName("kube-system").get().getMetadata().getUid();
    ClusterScope prod = new ClusterScope();
    prod.getMetadata().setName("preflight-local");
    prod.getSpec().setCluster(ClusterTarget.clusterRef("fleet", "preflight-1"));
    prod.getSpec().setEnvironment("production");
    prod.getSpec().setSources(List.of(new SourceRule("ssh://git@github.com/acme/*")));
    CLUSTER.scenario().create(prod);

    Run allowed = cli("", "preflight", "--scope", "preflight-local", "--source-url", PROD_FLEET);
    assertThat(allowed.exit()).as(allowed.err()).isZero();
    assertThat(allowed.out())
        .startsWith("Context ")
        .contains("kube-system namespace UID " + uid)
        .contains("ClusterScope preflight-local: Cluster fleet/preflight-1, environment PRODUCTION")
        .contains("ALLOWED by ClusterScope preflight-local");

    Run refused =
        cli(
            "",
            "preflight",
            "--scope",
            "preflight-local",
            "--source-url",
            "https://github.com/someone-else/empty");
    assertThat(refused.exit()).isEqualTo(3);
    assertThat(refused.out()).contains("NOT ALLOWED by ClusterScope preflight-local");
  }

  /** An explain row in {@link IncidentBScenario#fleetObjects}' words. */
  private static String asFleetName(JsonNode entry) {
    String kind = entry.path("kind").asText();
    String name = entry.path("name").asText();
    return switch (kind) {
      case "Namespace", "Kustomization", "HelmRelease" -> kind + " " + name;
      default -> kind + " " + entry.path("namespace").asText() + "/" + name;
    };
  }
}
