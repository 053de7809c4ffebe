package io.scopeguard.e2e.rbac;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.scopeguard.approval.Annotations;
import io.scopeguard.demo.IncidentAScenario;
import io.scopeguard.demo.IncidentBScenario;
import io.scopeguard.demo.ScenarioContext;
import io.scopeguard.e2e.chart.HelmChart;
import io.scopeguard.e2e.chart.Manifests;
import io.scopeguard.guard.OnboardingKinds;
import io.scopeguard.runtime.KubernetesConnection;
import io.scopeguard.runtime.OperatorSettings;
import io.scopeguard.runtime.ScopeguardOperator;
import io.scopeguard.testkit.EmbeddedKubernetes;
import io.scopeguard.testkit.FluxObjects;
import io.scopeguard.testkit.Identities;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The chart's RBAC is exactly what scopeguard needs. Every request scopeguard sends to the embedded
 * API (told apart by its User-Agent) while two replicas elect a leader, issue and renew their
 * certificates, register their webhooks, replay both incidents and hold one resource of every
 * guarded kind, must be allowed by the rendered ClusterRole and Role, read the way Kubernetes' RBAC
 * authorizer reads them; and every rule must have been needed by some request. The webhook
 * configurations are owned by the chart's ClusterRole, so uninstalling removes them.
 */
class RbacCoverageTest {

  private static final String LEASE = "scopeguard-leader";
  private static final OnboardingKinds.Entry ONBOARDING =
      new OnboardingKinds.Entry(
          "onboarding.example.com",
          "ClusterOnboarding",
          "clusteronboardings",
          "/spec/paused",
          "/spec/clusterName");

  /**
   * Grants scopeguard needs without calling them: the OwnerReferencesPermissionEnforcement
   * admission plugin (on in OpenShift and hardened clusters) lets only a caller who may delete an
   * object set its ownerReferences, and scopeguard makes its ClusterRole the owner of its webhook
   * configurations.
   */
  private static final Set<String> NEEDED_WITHOUT_A_CALL =
      Set.of(
          "delete admissionregistration.k8s.io/validatingwebhookconfigurations named [scopeguard]",
          "delete admissionregistration.k8s.io/mutatingwebhookconfigurations named [scopeguard]");

  /**
   * Requests Kubernetes allows every authenticated user by its default ClusterRoles: self reviews
   * ({@code system:basic-user}) and discovery and version ({@code system:discovery}, {@code
   * system:public-info-viewer}). The operator SDK checks its Lease permissions with a
   * SelfSubjectRulesReview before leader election.
   */
  private static boolean allowedToEveryone(ApiRequest request) {
    if (request.nonResource()) {
      return request.verb().equals("get")
          && (request.resource().equals("/version")
              || request.resource().equals("/api")
              || request.resource().equals("/apis")
              || request.resource().startsWith("/api/")
              || request.resource().startsWith("/apis/")
              || request.resource().startsWith("/openapi"));
    }
    return request.verb().equals("create")
        && Set.of("selfsubjectrulesreviews", "selfsubjectaccessreviews", "selfsubjectreviews")
            .contains(request.resource());
  }

  @Test
  void everyCallScopeguardMakesIsAllowedByTheChartAndEveryRuleIsNeeded() throws Exception {
    Manifests rendered =
        HelmChart.template(
            Serialization.asYaml(
                Map.of(
                    "onboardingKinds",
                        List.of(
                            Map.of(
                                "group",
                                ONBOARDING.group(),
                                "kind",
                                ONBOARDING.kind(),
                                "plural",
                                ONBOARDING.plural(),
                                "pausePath",
                                ONBOARDING.pausePath(),
                                "targetPath",
                                ONBOARDING.targetPath())),
                    "leaderElection", Map.of("enabled", true, "leaseName", LEASE),
                    "webhook", Map.of("certificates", "self"))));
    ClusterRole clusterRole = rendered.one(ClusterRole.class);
    Grants grants = new Grants(clusterRole, Optional.of(rendered.one(Role.class)));
    List<ApiRequest> requests = new CopyOnWriteArrayList<>();
    try (EmbeddedKubernetes api =
            EmbeddedKubernetes.start(
                (method, path, agent) -> {
                  if (KubernetesConnection.USER_AGENT.equals(agent)) {
                    requests.add(ApiRequest.of(method, path));
                  }
                });
        KubernetesClient asScopeguard =
            new KubernetesClientBuilder()
                .withConfig(
                    new ConfigBuilder(api.configAs(Identities.SCOPEGUARD))
                        .withUserAgent(KubernetesConnection.USER_AGENT)
                        .build())
                .build()) {
      api.installCrd("/crds/onboarding.example.com_clusteronboardings.yaml");
      String roleUid = api.client().resource(clusterRole).create().getMetadata().getUid();
      ScopeguardOperator leader =
          replica(asScopeguard, "replica-a", clusterRole.getMetadata().getName());
      await().atMost(Duration.ofSeconds(20)).until(leader::leading);
      ScopeguardOperator follower =
          replica(asScopeguard, "replica-b", clusterRole.getMetadata().getName());
      try {
        X509Certificate first = leader.webhook().orElseThrow().serving();
        exercise(api);
        await("the certificates renewed")
            .atMost(Duration.ofSeconds(20))
            .until(() -> !leader.webhook().orElseThrow().serving().equals(first));
      } finally {
        follower.close();
        leader.close();
      }
      // The embedded API runs no garbage collector: what is checked is the owner reference that
      // makes a real one delete the webhook configurations with the chart's ClusterRole.
      assertThat(
              api.client()
                  .admissionRegistration()
                  .v1()
                  .validatingWebhookConfigurations()
                  .withName("scopeguard")
                  .get()
                  .getMetadata()
                  .getOwnerReferences())
          .singleElement()
          .satisfies(owner -> assertThat(owner.getUid()).isEqualTo(roleUid));
      assertThat(
              api.client()
                  .admissionRegistration()
                  .v1()
                  .mutatingWebhookConfigurations()
                  .withName("scopeguard")
                  .get()
                  .getMetadata()
                  .getOwnerReferences())
          .singleElement()
          .satisfies(owner -> assertThat(owner.getUid()).isEqualTo(roleUid));
    }

    List<ApiRequest> needingRbac = requests.stream().filter(r -> !allowedToEveryone(r)).toList();
    Set<String> refused = new TreeSet<>();
    needingRbac.stream()
        .filter(r -> grants.allowing(r).isEmpty())
        .forEach(r -> refused.add(r.toString()));
    assertThat(refused).as("scopeguard's requests the chart's RBAC would refuse").isEmpty();
    assertThat(grants.unused(needingRbac))
        .as("rules in the chart no request of scopeguard needed")
        .containsExactlyInAnyOrderElementsOf(NEEDED_WITHOUT_A_CALL);
  }

  private static ScopeguardOperator replica(
      KubernetesClient client, String identity, String clusterRole) {
    OperatorSettings settings =
        OperatorSettings.embedded()
            .withOnboardingKinds(OnboardingKinds.parse(List.of(ONBOARDING), "values"))
            .withWebhook(
                OperatorSettings.Webhook.onLoopback()
                    .withCertificates(Duration.ofSeconds(12), Duration.ofMillis(250))
                    .ownedBy(clusterRole))
            .withLeaderElection(
                OperatorSettings.LeaderElection.on(LEASE, identity)
                    .withTimings(
                        Duration.ofSeconds(10), Duration.ofSeconds(7), Duration.ofMillis(250)));
    return ScopeguardOperator.start(client, settings, Clock.systemUTC());
  }

  /** Both incidents, then one held resource of every guarded kind the incidents do not hold. */
  private static void exercise(EmbeddedKubernetes api) {
    KubernetesClient client = api.client();
    ScenarioContext context =
        new ScenarioContext(
            client,
            api::clientAs,
            new PrintWriter(new StringWriter(), true),
            Duration.ofSeconds(60));
    try (IncidentAScenario incidentA = new IncidentAScenario()) {
      incidentA.setUp(context);
      incidentA.onboard(context);
      incidentA.awaitHeld(context);
      incidentA.approve(context, IncidentAScenario.appsFor(IncidentAScenario.PROD_2));
      incidentA.awaitResumed(context, IncidentAScenario.appsFor(IncidentAScenario.PROD_2));
    }
    try (IncidentBScenario incidentB = new IncidentBScenario()) {
      incidentB.setUp(context);
      incidentB.repointAtEmptyRepository(context);
      incidentB.approveEmptyRevision(context);
    }
    List<GenericKubernetesResource> others =
        new ArrayList<>(
            List.of(
                resource(
                    "helm.toolkit.fluxcd.io/v2", "HelmRelease", null, Map.of("interval", "5m")),
                resource(
                    "onboarding.example.com/v1",
                    "ClusterOnboarding",
                    null,
                    Map.of("clusterName", "prod-eu-9"))));
    // admission reads through to the API server what its caches miss: sources a reconciler names
    // before they exist (or before their watch event arrived)
    for (String kind : List.of("GitRepository", "OCIRepository", "Bucket")) {
      GenericKubernetesResource reader =
          resource(
              "kustomize.toolkit.fluxcd.io/v1",
              "Kustomization",
              "no-such-scope",
              Map.of("sourceRef", Map.of("kind", kind, "name", "not-yet"), "prune", true));
      reader.getMetadata().setName("reads-" + kind.toLowerCase(Locale.ROOT));
      client.resource(reader).create();
    }
    for (String kind : List.of("GitRepository", "OCIRepository", "HelmRepository", "Bucket")) {
      others.add(
          resource(
              "source.toolkit.fluxcd.io/v1",
              kind,
              "no-such-scope",
              Map.of(
                  "url",
                  "https://example.com/" + kind.toLowerCase(Locale.ROOT),
                  "interval",
                  "5m")));
    }
    others.forEach(r -> client.resource(r).create());
    for (GenericKubernetesResource r : others) {
      await(r.getKind() + " held")
          .atMost(Duration.ofSeconds(20))
          .until(
              () -> {
                GenericKubernetesResource now = client.resource(r).get();
                return now.getMetadata().getAnnotations() != null
                    && now.getMetadata().getAnnotations().containsKey(Annotations.SUSPENDED_REASON);
              });
      // admission held it in its own write; resuming it on approval is scopeguard's patch
      String token =
          client.resource(r).get().getMetadata().getAnnotations().get(Annotations.SUSPENDED_TOKEN);
      FluxObjects.annotate(
          client,
          r.getApiVersion(),
          r.getKind(),
          r.getMetadata().getNamespace(),
          r.getMetadata().getName(),
          Annotations.APPROVE,
          token);
      await(r.getKind() + " resumed")
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  !client
                      .resource(r)
                      .get()
                      .getMetadata()
                      .getAnnotations()
                      .containsKey(Annotations.SUSPENDED_REASON));
    }
  }

  private static GenericKubernetesResource resource(
      String apiVersion, String kind, String scope, Map<String, Object> spec) {
    return new GenericKubernetesResourceBuilder()
        .withApiVersion(apiVersion)
        .withKind(kind)
        .withNewMetadata()
        .withNamespace("rbac")
        .withName(kind.toLowerCase(Locale.ROOT))
        .withLabels(scope == null ? Map.of() : Map.of(Annotations.SCOPE_LABEL, scope))
        .endMetadata()
        .withAdditionalProperties(Map.of("spec", spec))
        .build();
  }
}
