package io.scopeguard.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.scopeguard.kinds.GuardedKind;
import io.scopeguard.scope.Target;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnboardingKindsTest {

  @Test
  void readsKindsAndResolvesTheirTargets(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("kinds.yaml");
    Files.writeString(
        file,
        """
        - group: onboarding.example.com
          kind: ClusterOnboarding
          plural: clusteronboardings
          pausePath: /spec/paused
          targetPath: /spec/clusterName
        """);

    List<GuardedKind> kinds = OnboardingKinds.read(file);

    assertThat(kinds)
        .singleElement()
        .satisfies(
            kind -> {
              assertThat(kind.id()).isEqualTo("ClusterOnboarding.onboarding.example.com");
              assertThat(kind.role()).isEqualTo(GuardedKind.Role.RECONCILER);
              assertThat(kind.pausePointer()).isEqualTo("/spec/paused");
              assertThat(kind.kubectlName()).isEqualTo("clusteronboarding.onboarding.example.com");
              assertThat(kind.plural()).isEqualTo("clusteronboardings");
              assertThat(kind.target().apply(onboarding("clusterName: prod-1")))
                  .isEqualTo(new Target.Cluster("fleet", "prod-1"));
              assertThat(kind.target().apply(onboarding("clusterName: other/prod-1")))
                  .isEqualTo(new Target.Cluster("other", "prod-1"));
              assertThat(kind.target().apply(onboarding("paused: false")))
                  .isInstanceOf(Target.Unresolved.class);
              assertThat(kind.target().apply(onboarding("clusterName: a/b/c")))
                  .isInstanceOf(Target.Unresolved.class);
            });
  }

  @Test
  void namesTheEntryAndFieldThatIsWrong(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("kinds.yaml");
    Files.writeString(
        file,
        """
        - {group: a.example, kind: A, plural: as, pausePath: /spec/paused, targetPath: /spec/cluster}
        - {group: b.example, kind: B, plural: bs, pausePath: spec.paused, targetPath: /spec/cluster}
        """);

    assertThatThrownBy(() -> OnboardingKinds.read(file))
        .hasMessage(
            file
                + " entry 2: pausePath must be a JSON pointer to a boolean under /spec, such as /spec/paused, not spec.paused");
    Files.writeString(
        file,
        """
        - {group: a.example, kind: A, pausePath: /spec/paused, targetPath: /spec/cluster}
        """);
    assertThatThrownBy(() -> OnboardingKinds.read(file))
        .as("its admission rule and RBAC name it by its plural")
        .hasMessage(file + " entry 1: plural is required");
  }

  @Test
  void aClusterScopedResourceMustNameTheClustersNamespace() {
    GuardedKind kind =
        OnboardingKinds.parse(
                List.of(
                    new OnboardingKinds.Entry(
                        "a.example", "A", "as", "/spec/paused", "/spec/cluster")),
                "test")
            .get(0);
    GenericKubernetesResource clusterScoped =
        Serialization.unmarshal(
            """
        apiVersion: a.example/v1
        kind: A
        metadata: {name: o}
        spec: {cluster: prod-1}
        """,
            GenericKubernetesResource.class);

    assertThat(kind.target().apply(clusterScoped)).isInstanceOf(Target.Unresolved.class);
  }

  @Test
  void aPauseSwitchOutsideSpecIsRefused(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("kinds.yaml");
    Files.writeString(
        file,
        "- {group: a.example, kind: A, plural: as, pausePath: /metadata/annotations/paused, targetPath: /spec/cluster}\n");

    assertThatThrownBy(() -> OnboardingKinds.read(file))
        .hasMessageContaining("pausePath must be a JSON pointer to a boolean under /spec");
  }

  @Test
  void unknownFieldsAreRefusedNotIgnored(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("kinds.yaml");
    Files.writeString(
        file,
        "- {group: a.example, kind: A, plural: as, pausePath: /spec/paused, targetPth: /spec/cluster}\n");

    assertThatThrownBy(() -> OnboardingKinds.read(file))
        .hasMessageContaining("cannot read onboarding kinds")
        .hasMessageContaining("targetPth");
  }

  private static GenericKubernetesResource onboarding(String spec) {
    return Serialization.unmarshal(
        """
        apiVersion: onboarding.example.com/v1
        kind: ClusterOnboarding
        metadata: {namespace: fleet, name: o}
        spec: {%s}
        """
            .formatted(spec),
        GenericKubernetesResource.class);
  }
}
