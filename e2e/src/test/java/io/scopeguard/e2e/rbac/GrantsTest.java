package io.scopeguard.e2e.rbac;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The RBAC coverage test's reading of requests and rules, checked on the cases that matter. */
class GrantsTest {

  private final Grants grants =
      new Grants(
          new ClusterRoleBuilder()
              .withNewMetadata()
              .withName("scopeguard")
              .endMetadata()
              .addNewRule()
              .withApiGroups("kustomize.toolkit.fluxcd.io")
              .withResources("kustomizations")
              .withVerbs("list", "watch", "patch")
              .endRule()
              .addNewRule()
              .withApiGroups("scopeguard.io")
              .withResources("clusterscopes/status")
              .withVerbs("update")
              .endRule()
              .build(),
          Optional.of(
              new RoleBuilder()
                  .withNewMetadata()
                  .withName("scopeguard")
                  .withNamespace("scopeguard-system")
                  .endMetadata()
                  .addNewRule()
                  .withApiGroups("")
                  .withResources("secrets")
                  .withResourceNames("scopeguard-webhook-tls")
                  .withVerbs("get", "update", "create")
                  .endRule()
                  .build()));

  @Test
  void requestsAreReadAsTheAuthorizerReadsThem() {
    assertThat(
            ApiRequest.of(
                "GET", "/apis/kustomize.toolkit.fluxcd.io/v1/kustomizations?resourceVersion=0"))
        .isEqualTo(
            new ApiRequest("list", "kustomize.toolkit.fluxcd.io", "kustomizations", null, null));
    assertThat(
            ApiRequest.of(
                "GET",
                "/apis/kustomize.toolkit.fluxcd.io/v1/kustomizations?allowWatchBookmarks=true&watch=true"))
        .isEqualTo(
            new ApiRequest("watch", "kustomize.toolkit.fluxcd.io", "kustomizations", null, null));
    assertThat(ApiRequest.of("PUT", "/apis/scopeguard.io/v1/clusterscopes/prod/status"))
        .isEqualTo(new ApiRequest("update", "scopeguard.io", "clusterscopes/status", null, "prod"));
    assertThat(
            ApiRequest.of(
                "GET",
                "/api/v1/namespaces/scopeguard-system/secrets?fieldSelector=metadata.name%3Dtls"))
        .isEqualTo(new ApiRequest("list", "", "secrets", "scopeguard-system", "tls"));
    assertThat(ApiRequest.of("GET", "/version").nonResource()).isTrue();
  }

  @Test
  void rulesAllowOnlyTheirGroupResourceVerbNamespaceAndNames() {
    assertThat(
            grants.allowing(
                ApiRequest.of(
                    "PATCH", "/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/a/kustomizations/x")))
        .isPresent();
    assertThat(
            grants.allowing(
                ApiRequest.of(
                    "GET", "/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/a/kustomizations/x")))
        .as("get is not list")
        .isEmpty();
    assertThat(grants.allowing(ApiRequest.of("PUT", "/apis/scopeguard.io/v1/clusterscopes/prod")))
        .as("not the status")
        .isEmpty();
    assertThat(
            grants.allowing(
                ApiRequest.of(
                    "GET", "/api/v1/namespaces/scopeguard-system/secrets/scopeguard-webhook-tls")))
        .isPresent();
    assertThat(
            grants.allowing(
                ApiRequest.of("GET", "/api/v1/namespaces/scopeguard-system/secrets/other")))
        .isEmpty();
    assertThat(
            grants.allowing(
                ApiRequest.of(
                    "GET", "/api/v1/namespaces/flux-system/secrets/scopeguard-webhook-tls")))
        .as("a Role allows only in its namespace")
        .isEmpty();
    assertThat(
            grants.allowing(ApiRequest.of("POST", "/api/v1/namespaces/scopeguard-system/secrets")))
        .as("resource names never allow create")
        .isEmpty();
  }

  @Test
  void aRuleNoRequestNeededIsReported() {
    assertThat(
            grants.unused(
                List.of(
                    ApiRequest.of("GET", "/apis/kustomize.toolkit.fluxcd.io/v1/kustomizations"),
                    ApiRequest.of(
                        "GET", "/apis/kustomize.toolkit.fluxcd.io/v1/kustomizations?watch=true"),
                    ApiRequest.of(
                        "PATCH",
                        "/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/a/kustomizations/x"),
                    ApiRequest.of("PUT", "/apis/scopeguard.io/v1/clusterscopes/prod/status"),
                    ApiRequest.of(
                        "GET",
                        "/api/v1/namespaces/scopeguard-system/secrets/scopeguard-webhook-tls"))))
        .containsExactlyInAnyOrder(
            "update secrets in scopeguard-system named [scopeguard-webhook-tls]",
            "create secrets in scopeguard-system named [scopeguard-webhook-tls]");
  }
}
