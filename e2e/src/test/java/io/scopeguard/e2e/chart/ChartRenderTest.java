package io.scopeguard.e2e.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.scopeguard.e2e.chart.ThirdPartyKinds.Certificate;
import io.scopeguard.e2e.chart.ThirdPartyKinds.Issuer;
import io.scopeguard.e2e.chart.ThirdPartyKinds.PrometheusRule;
import io.scopeguard.e2e.chart.ThirdPartyKinds.ServiceMonitor;
import io.scopeguard.guard.OnboardingKinds;
import io.scopeguard.kinds.GuardedKind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart as a user installs it, rendered by a real Helm under the value sets users choose: lint
 * is clean, every manifest reads strictly into its typed model (no unknown field), each switch does
 * what its value says, a typo in values is refused by values.schema.json with a clear message, and
 * the chart's CRD is the one generated from the Java model.
 */
class ChartRenderTest {

  private static final String FULLNAME = HelmChart.RELEASE;

  @Test
  void lintIsCleanInStrictMode() {
    var lint = HelmChart.lint();

    assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
    assertThat(lint.getMessages())
        .as("no error or warning (strict)")
        .noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
    assertThat(HelmChart.helmVersion()).startsWith("v3.");
  }

  @Test
  void defaultsRenderTwoHardenedReplicasWithLeaderElectionTheWebhookAndNoOptionalExtras() {
    Manifests chart = HelmChart.template();

    assertThat(chart.kindsAndNames())
        .containsExactlyInAnyOrder(
            "NetworkPolicy/" + FULLNAME,
            "ServiceAccount/" + FULLNAME,
            "ConfigMap/" + FULLNAME + "-dashboard",
            "ClusterRole/" + FULLNAME,
            "ClusterRoleBinding/" + FULLNAME,
            "Role/" + FULLNAME,
            "RoleBinding/" + FULLNAME,
            "Service/" + FULLNAME + "-metrics",
            "Service/" + FULLNAME + "-webhook",
            "Deployment/" + FULLNAME,
            "PodDisruptionBudget/" + FULLNAME);
    assertThat(chart.documents())
        .allSatisfy(
            d -> {
              assertThat(d.tree().at("/metadata/labels/app.kubernetes.io~1name").asText())
                  .as(d.source())
                  .isEqualTo("scopeguard");
              if (!d.kind().startsWith("Cluster")) {
                assertThat(d.tree().at("/metadata/namespace").asText())
                    .as(d.source())
                    .isEqualTo(HelmChart.NAMESPACE);
              }
            });

    Deployment deployment = chart.one(Deployment.class);
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
    assertThat(deployment.getSpec().getSelector().getMatchLabels())
        .isEqualTo(deployment.getSpec().getTemplate().getMetadata().getLabels());
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    assertThat(pod.getServiceAccountName())
        .isEqualTo(chart.one(ServiceAccount.class).getMetadata().getName());
    assertRestricted(pod);
    Container container = pod.getContainers().get(0);
    assertThat(container.getImage()).isEqualTo("ghcr.io/scopeguard/scopeguard:0.1.0");
    assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(container.getStartupProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    assertThat(container.getLifecycle().getPreStop().getExec().getCommand())
        .as("a stopping replica keeps answering admission until its endpoint is gone")
        .containsExactly("sleep", "5");
    assertThat(pod.getTerminationGracePeriodSeconds()).isEqualTo(30L);
    assertThat(container.getLivenessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("http");
    assertThat(container.getPorts())
        .extracting(p -> p.getName() + ":" + p.getContainerPort())
        .containsExactly("http:8080", "webhook:9443");
    assertThat(env(container))
        .containsEntry("SCOPEGUARD_WEBHOOK", "true")
        .containsEntry("SCOPEGUARD_WEBHOOK_CERTIFICATES", "self")
        .containsEntry(
            "SCOPEGUARD_WEBHOOK_SERVICE", HelmChart.NAMESPACE + "/" + FULLNAME + "-webhook:443")
        .containsEntry("SCOPEGUARD_WEBHOOK_SECRET", "scopeguard-webhook-tls")
        .containsEntry("SCOPEGUARD_HTTP_PORT", "8080")
        .containsEntry(
            "SCOPEGUARD_WEBHOOK_OWNER", chart.one(ClusterRole.class).getMetadata().getName())
        .containsEntry("SCOPEGUARD_LEADER_ELECTION", "true")
        .containsEntry("SCOPEGUARD_LEADER_ELECTION_LEASE", "scopeguard-leader")
        .containsEntry("SCOPEGUARD_SCOPE_WEBHOOK_FAILURE_POLICY", "Fail")
        .containsEntry("SCOPEGUARD_JUDGING_BUDGET", "5s")
        .doesNotContainKey("SCOPEGUARD_FLUX_DEFAULT_SERVICE_ACCOUNT")
        .doesNotContainKey("SCOPEGUARD_ONBOARDING_KINDS");
    assertThat(
            pod.getAffinity()
                .getPodAntiAffinity()
                .getPreferredDuringSchedulingIgnoredDuringExecution())
        .as("replicas spread over nodes")
        .singleElement()
        .satisfies(
            term ->
                assertThat(term.getPodAffinityTerm().getTopologyKey())
                    .isEqualTo("kubernetes.io/hostname"));

    for (Service service : chart.all(Service.class)) {
      assertThat(service.getSpec().getSelector())
          .as(service.getMetadata().getName())
          .isEqualTo(deployment.getSpec().getTemplate().getMetadata().getLabels());
      assertThat(service.getSpec().getPorts())
          .allSatisfy(
              port ->
                  assertThat(container.getPorts())
                      .anyMatch(p -> p.getName().equals(port.getTargetPort().getStrVal())));
    }
    assertThat(
            chart
                .find(Service.class, FULLNAME + "-webhook")
                .orElseThrow()
                .getSpec()
                .getPorts()
                .get(0)
                .getPort())
        .isEqualTo(443);

    ClusterRoleBinding binding = chart.one(ClusterRoleBinding.class);
    assertThat(binding.getRoleRef().getName())
        .isEqualTo(chart.one(ClusterRole.class).getMetadata().getName());
    assertThat(binding.getSubjects())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.getName()).isEqualTo(pod.getServiceAccountName());
              assertThat(s.getNamespace()).isEqualTo(HelmChart.NAMESPACE);
            });
    assertThat(chart.one(RoleBinding.class).getRoleRef().getName())
        .isEqualTo(chart.one(Role.class).getMetadata().getName());
    assertThat(chart.one(Role.class).getRules())
        .as("the Lease, and the webhook Secret, which self mode also creates")
        .anySatisfy(
            r -> {
              assertThat(r.getResources()).containsExactly("leases");
              assertThat(r.getResourceNames()).containsExactly("scopeguard-leader");
              assertThat(r.getVerbs()).containsExactlyInAnyOrder("get", "update", "patch");
            })
        .anySatisfy(
            r -> {
              assertThat(r.getResources()).containsExactly("secrets");
              assertThat(r.getResourceNames()).containsExactly("scopeguard-webhook-tls");
              assertThat(r.getVerbs()).containsExactlyInAnyOrder("get", "update");
            })
        .anySatisfy(
            r -> {
              assertThat(r.getResources()).containsExactly("secrets");
              assertThat(r.getVerbs()).containsExactly("create");
            });
    assertThat(
            rule(
                chart.one(ClusterRole.class),
                "admissionregistration.k8s.io",
                "validatingwebhookconfigurations"))
        .isNotNull();

    assertThat(chart.one(PodDisruptionBudget.class).getSpec().getMinAvailable().getIntVal())
        .isEqualTo(1);
    assertThat(chart.all(PrometheusRule.class))
        .as("auto, and no monitoring.coreos.com API without a cluster")
        .isEmpty();
    assertThat(chart.all(ServiceMonitor.class)).isEmpty();
    assertThat(chart.all(Issuer.class)).isEmpty();
  }

  @Test
  void aDisruptionBudgetThatSelectsThePodsOnlyWithMoreThanOneReplica() {
    assertThat(HelmChart.template("replicaCount: 1\n").all(PodDisruptionBudget.class))
        .as("minAvailable 1 over one replica would block every node drain")
        .isEmpty();
    assertThat(HelmChart.refusal("replicaCount: 2\nleaderElection: {enabled: false}\n"))
        .contains("at '/leaderElection/enabled': value must be true");
    Manifests chart =
        HelmChart.template(
            """
        replicaCount: 3
        podDisruptionBudget: {enabled: true}
        """);

    Deployment deployment = chart.one(Deployment.class);
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(3);
    PodDisruptionBudget pdb = chart.one(PodDisruptionBudget.class);
    assertThat(pdb.getSpec().getMinAvailable().getIntVal()).isEqualTo(1);
    assertThat(pdb.getSpec().getSelector().getMatchLabels())
        .isEqualTo(deployment.getSpec().getTemplate().getMetadata().getLabels());
  }

  @Test
  void certManagerModeRendersAnIssuerAndACertificateForTheWebhookService() {
    Manifests chart = HelmChart.template("webhook: {certificates: cert-manager}\n");

    Issuer issuer = chart.one(Issuer.class);
    assertThat(issuer.spec().selfSigned()).isNotNull();
    Certificate certificate = chart.one(Certificate.class);
    assertThat(certificate.spec().secretName()).isEqualTo("scopeguard-webhook-tls");
    assertThat(certificate.spec().issuerRef().name()).isEqualTo(issuer.metadata().getName());
    assertThat(certificate.spec().dnsNames())
        .contains(FULLNAME + "-webhook." + HelmChart.NAMESPACE + ".svc");
    assertThat(
            env(
                chart
                    .one(Deployment.class)
                    .getSpec()
                    .getTemplate()
                    .getSpec()
                    .getContainers()
                    .get(0)))
        .containsEntry("SCOPEGUARD_WEBHOOK_CERTIFICATES", "cert-manager");
    assertThat(chart.one(Role.class).getRules())
        .as("cert-manager writes the Secret; scopeguard only reads it")
        .noneMatch(r -> r.getResources().contains("secrets") && r.getVerbs().contains("create"));
  }

  @Test
  void theScopeGatesFailurePolicyIsAChoiceBetweenFailAndIgnore() {
    assertThat(
            env(
                HelmChart.template("webhook: {scopeFailurePolicy: Ignore}\n")
                    .one(Deployment.class)
                    .getSpec()
                    .getTemplate()
                    .getSpec()
                    .getContainers()
                    .get(0)))
        .containsEntry("SCOPEGUARD_SCOPE_WEBHOOK_FAILURE_POLICY", "Ignore");
    assertThatThrownBy(() -> HelmChart.template("webhook: {scopeFailurePolicy: Maybe}\n"))
        .hasMessageContaining("scopeFailurePolicy");
  }

  @Test
  void fluxsDefaultServiceAccountReachesThePruneGuard() {
    assertThat(
            env(
                HelmChart.template("flux: {defaultServiceAccount: tenant-reconciler}\n")
                    .one(Deployment.class)
                    .getSpec()
                    .getTemplate()
                    .getSpec()
                    .getContainers()
                    .get(0)))
        .containsEntry("SCOPEGUARD_FLUX_DEFAULT_SERVICE_ACCOUNT", "tenant-reconciler");
    assertThatThrownBy(() -> HelmChart.template("flux: {defaultServiceAccount: Not_A_Name}\n"))
        .hasMessageContaining("defaultServiceAccount");
  }

  @Test
  void alertsAndServiceMonitorWhenForcedOn() throws IOException {
    Manifests chart =
        HelmChart.template(
            """
        prometheusRule: {enabled: true, labels: {release: kube-prometheus-stack}}
        serviceMonitor: {enabled: true, interval: 15s}
        """);

    PrometheusRule rule = chart.one(PrometheusRule.class);
    assertThat(rule.metadata().getLabels()).containsEntry("release", "kube-prometheus-stack");
    JsonNode alerts =
        StrictModel.YAML.readTree(HelmChart.DIR.resolve("files/alerts.yaml").toFile());
    assertThat(StrictModel.YAML.valueToTree(rule.spec()).path("groups").toString())
        .as("the PrometheusRule carries files/alerts.yaml unchanged")
        .isEqualTo(
            StrictModel.YAML
                .valueToTree(StrictModel.read(alerts, ThirdPartyKinds.PrometheusRuleSpec.class))
                .path("groups")
                .toString());
    assertThat(rule.spec().groups().get(0).rules())
        .extracting(ThirdPartyKinds.Rule::alert)
        .contains("ScopeguardReconciliationSuspended", "ScopeguardDown");

    ServiceMonitor monitor = chart.one(ServiceMonitor.class);
    Service metrics = chart.find(Service.class, FULLNAME + "-metrics").orElseThrow();
    assertThat(metrics.getMetadata().getLabels())
        .containsAllEntriesOf(monitor.spec().selector().getMatchLabels());
    assertThat(monitor.spec().endpoints())
        .singleElement()
        .satisfies(
            endpoint -> {
              assertThat(endpoint.port()).isEqualTo(metrics.getSpec().getPorts().get(0).getName());
              assertThat(endpoint.path()).isEqualTo("/metrics");
              assertThat(endpoint.interval()).isEqualTo("15s");
              assertThat(endpoint.honorLabels())
                  .as(
                      "scopeguard_suspended's own namespace label must not become exported_namespace")
                  .isTrue();
            });
  }

  @Test
  void autoRendersAlertsAndServiceMonitorOnlyWhereThePrometheusOperatorApiIsServed() {
    Manifests with = HelmChart.installOnto(StandInApiServer.PROMETHEUS_OPERATOR, "");
    Manifests without = HelmChart.installOnto(List.of(), "");
    Manifests forcedOff =
        HelmChart.installOnto(
            StandInApiServer.PROMETHEUS_OPERATOR,
            """
        prometheusRule: {enabled: false}
        serviceMonitor: {enabled: false}
        """);

    assertThat(with.all(PrometheusRule.class)).hasSize(1);
    assertThat(with.all(ServiceMonitor.class)).hasSize(1);
    assertThat(without.all(PrometheusRule.class)).isEmpty();
    assertThat(without.all(ServiceMonitor.class)).isEmpty();
    assertThat(forcedOff.all(PrometheusRule.class)).isEmpty();
    assertThat(forcedOff.all(ServiceMonitor.class)).isEmpty();
    assertThat(without.kindsAndNames())
        .as("the rest is the same as helm template renders")
        .containsExactlyInAnyOrderElementsOf(HelmChart.template().kindsAndNames());
  }

  @Test
  void networkPolicyLimitsEgressToDnsFluxsSourceAndNotificationControllersAndTheApiServer() {
    NetworkPolicy open = HelmChart.template().one(NetworkPolicy.class);
    NetworkPolicy pinned =
        HelmChart.template("networkPolicy: {apiServerCIDRs: [10.0.0.1/32, 10.0.0.2/32]}\n")
            .one(NetworkPolicy.class);

    assertThat(open.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
    assertThat(open.getSpec().getIngress())
        .flatExtracting(r -> r.getPorts())
        .extracting(p -> p.getPort().getIntVal())
        .containsExactlyInAnyOrder(8080, 9443);
    NetworkPolicyEgressRule sourceController =
        open.getSpec().getEgress().stream()
            .filter(r -> r.getPorts().stream().anyMatch(p -> p.getPort().getIntVal() == 9090))
            .findFirst()
            .orElseThrow();
    assertThat(sourceController.getTo())
        .singleElement()
        .satisfies(
            peer -> {
              assertThat(peer.getNamespaceSelector().getMatchLabels())
                  .containsEntry("kubernetes.io/metadata.name", "flux-system");
              assertThat(peer.getPodSelector().getMatchExpressions())
                  .singleElement()
                  .satisfies(
                      app -> {
                        assertThat(app.getKey()).isEqualTo("app");
                        assertThat(app.getOperator()).isEqualTo("In");
                        assertThat(app.getValues())
                            .containsExactlyInAnyOrder(
                                "source-controller", "notification-controller");
                      });
            });
    assertThat(apiServerRule(open).getTo())
        .as("no CIDRs: any destination on 443/6443")
        .isNullOrEmpty();
    assertThat(apiServerRule(pinned).getTo())
        .extracting(peer -> peer.getIpBlock().getCidr())
        .containsExactly("10.0.0.1/32", "10.0.0.2/32");
    assertThat(HelmChart.template("networkPolicy: {enabled: false}\n").all(NetworkPolicy.class))
        .isEmpty();
  }

  @Test
  void anOnboardingKindIsGrantedInTheClusterRoleAndHandedToTheOperator(@TempDir Path dir)
      throws IOException {
    Manifests chart =
        HelmChart.template(
            """
        onboardingKinds:
          - group: onboarding.example.com
            kind: ClusterOnboarding
            plural: clusteronboardings
            pausePath: /spec/paused
            targetPath: /spec/clusterName
        """);

    PolicyRule rule =
        rule(chart.one(ClusterRole.class), "onboarding.example.com", "clusteronboardings");
    assertThat(rule).isNotNull();
    assertThat(rule.getVerbs()).containsExactlyInAnyOrder("list", "watch", "patch");
    ConfigMap kinds = chart.find(ConfigMap.class, FULLNAME + "-onboarding-kinds").orElseThrow();
    PodSpec pod = chart.one(Deployment.class).getSpec().getTemplate().getSpec();
    assertThat(env(pod.getContainers().get(0)))
        .containsEntry("SCOPEGUARD_ONBOARDING_KINDS", "/etc/scopeguard/onboarding-kinds.yaml");
    assertThat(pod.getVolumes())
        .as("a volume of the onboarding-kinds ConfigMap")
        .anyMatch(
            v ->
                v.getConfigMap() != null
                    && kinds.getMetadata().getName().equals(v.getConfigMap().getName()));
    assertThat(pod.getContainers().get(0).getVolumeMounts())
        .anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/etc/scopeguard"));

    Path file = dir.resolve("onboarding-kinds.yaml");
    Files.writeString(file, kinds.getData().get("onboarding-kinds.yaml"), StandardCharsets.UTF_8);
    List<GuardedKind> read = OnboardingKinds.read(file);
    assertThat(read)
        .as("the operator reads what the chart hands it")
        .singleElement()
        .satisfies(
            kind -> {
              assertThat(kind.group()).isEqualTo("onboarding.example.com");
              assertThat(kind.kind()).isEqualTo("ClusterOnboarding");
            });
  }

  @Test
  void withoutTheWebhookNothingOfItIsRendered() {
    Manifests chart = HelmChart.template("webhook: {enabled: false, certificates: cert-manager}\n");

    assertThat(chart.find(Service.class, FULLNAME + "-webhook")).isEmpty();
    assertThat(chart.one(Role.class).getRules())
        .as("the Role grants the Lease, and no Secret")
        .allSatisfy(r -> assertThat(r.getResources()).containsExactly("leases"));
    assertThat(chart.all(Issuer.class)).isEmpty();
    assertThat(chart.all(Certificate.class)).isEmpty();
    assertThat(
            rule(
                chart.one(ClusterRole.class),
                "admissionregistration.k8s.io",
                "validatingwebhookconfigurations"))
        .isNull();
    Container container =
        chart.one(Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(env(container))
        .containsEntry("SCOPEGUARD_WEBHOOK", "false")
        .doesNotContainKey("SCOPEGUARD_WEBHOOK_PORT");
    assertThat(container.getPorts()).extracting(p -> p.getName()).containsExactly("http");
    assertThat(chart.one(NetworkPolicy.class).getSpec().getIngress())
        .flatExtracting(r -> r.getPorts())
        .extracting(p -> p.getPort().getIntVal())
        .containsExactly(8080);
  }

  @Test
  void theDashboardShipsInAConfigMapGrafanasSidecarFinds() throws IOException {
    String dashboard = Files.readString(HelmChart.DIR.resolve("files/dashboard.json"));

    ConfigMap byDefault =
        HelmChart.template().find(ConfigMap.class, FULLNAME + "-dashboard").orElseThrow();
    assertThat(byDefault.getMetadata().getNamespace()).isEqualTo(HelmChart.NAMESPACE);
    assertThat(byDefault.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
    assertThat(byDefault.getData()).containsOnlyKeys("scopeguard.json");
    assertThat(StrictModel.YAML.readTree(byDefault.getData().get("scopeguard.json")))
        .isEqualTo(StrictModel.YAML.readTree(dashboard));

    ConfigMap moved =
        HelmChart.template(
                """
        grafanaDashboard:
          namespace: monitoring
          labels: {grafana_dashboard: "scopeguard", team: platform}
          annotations: {grafana_folder: GitOps}
        """)
            .find(ConfigMap.class, FULLNAME + "-dashboard")
            .orElseThrow();
    assertThat(moved.getMetadata().getNamespace()).isEqualTo("monitoring");
    assertThat(moved.getMetadata().getLabels())
        .containsEntry("grafana_dashboard", "scopeguard")
        .containsEntry("team", "platform");
    assertThat(moved.getMetadata().getAnnotations()).containsEntry("grafana_folder", "GitOps");

    assertThat(
            HelmChart.template("grafanaDashboard: {enabled: false}\n")
                .find(ConfigMap.class, FULLNAME + "-dashboard"))
        .isEmpty();
  }

  @Test
  void typosAndWrongTypesInValuesAreRefusedByTheSchemaWithAClearMessage() {
    assertThat(HelmChart.refusal("replicaCout: 2\n"))
        .contains("values don't meet the specifications of the schema")
        .contains("additional properties 'replicaCout' not allowed");
    assertThat(HelmChart.refusal("replicaCount: two\n"))
        .contains("at '/replicaCount': got string, want integer");
    assertThat(HelmChart.refusal("webhook: {certificates: letsencrypt}\n"))
        .contains("/webhook/certificates");
    assertThat(HelmChart.refusal("grafanaDashboard: {enabeld: false}\n"))
        .contains("additional properties 'enabeld' not allowed");
    assertThat(
            HelmChart.refusal(
                "onboardingKinds: [{group: a.io, kind: A, plural: as, pausePath: paused, targetPath: /spec/c}]\n"))
        .contains("/onboardingKinds/0/pausePath");
  }

  @Test
  void theChartsCrdIsTheOneGeneratedFromTheJavaModel() throws IOException {
    JsonNode generated;
    try (var in =
        ChartRenderTest.class.getResourceAsStream(
            "/META-INF/fabric8/clusterscopes.scopeguard.io-v1.yml")) {
      assertThat(in)
          .as("the CRD generated by crd-generator into the operator's classes")
          .isNotNull();
      generated = StrictModel.YAML.readTree(in);
    }
    try (var files = Files.list(HelmChart.DIR.resolve("crds"))) {
      assertThat(files.map(p -> p.getFileName().toString()).collect(Collectors.toList()))
          .containsExactly("clusterscopes.scopeguard.io-v1.yml");
    }
    JsonNode chart =
        StrictModel.YAML.readTree(
            HelmChart.DIR.resolve("crds/clusterscopes.scopeguard.io-v1.yml").toFile());
    JsonNode root =
        StrictModel.YAML.readTree(
            HelmChart.DIR
                .resolve("../../crds/clusterscopes.scopeguard.io-v1.yml")
                .normalize()
                .toFile());

    assertThat(chart).isEqualTo(generated);
    assertThat(root).isEqualTo(generated);
    var crd = StrictModel.read(chart, CustomResourceDefinition.class);
    assertThat(crd.getSpec().getNames().getKind()).isEqualTo("ClusterScope");
  }

  private static void assertRestricted(PodSpec pod) {
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    for (Container container : pod.getContainers()) {
      assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
      assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
      assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
      assertThat(container.getSecurityContext().getPrivileged()).isNotEqualTo(Boolean.TRUE);
    }
  }

  private static NetworkPolicyEgressRule apiServerRule(NetworkPolicy policy) {
    return policy.getSpec().getEgress().stream()
        .filter(r -> r.getPorts().stream().anyMatch(p -> p.getPort().getIntVal() == 6443))
        .findFirst()
        .orElseThrow();
  }

  private static PolicyRule rule(ClusterRole role, String group, String resource) {
    return role.getRules().stream()
        .filter(r -> r.getApiGroups().contains(group) && r.getResources().contains(resource))
        .findFirst()
        .orElse(null);
  }

  private static Map<String, String> env(Container container) {
    return container.getEnv().stream()
        .filter(e -> e.getValue() != null)
        .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
  }
}
