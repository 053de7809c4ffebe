package io.scopeguard.deletion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Flux's inventory ids: parsing, writing, and the round trip between them. */
class ObjectIdTest {

  /** Blank cells are null: the ObjectId constructor reads null namespace and group as "". */
  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      _podinfo__Namespace                                                         |            | podinfo                                 |                              | Namespace
      podinfo_podinfo_apps_Deployment                                             | podinfo    | podinfo                                 | apps                         | Deployment
      podinfo_podinfo__Service                                                    | podinfo    | podinfo                                 |                              | Service
      _podinfos.example.com_apiextensions.k8s.io_CustomResourceDefinition         |            | podinfos.example.com                    | apiextensions.k8s.io         | CustomResourceDefinition
      _system__controller__widget_rbac.authorization.k8s.io_ClusterRole           |            | system:controller:widget                | rbac.authorization.k8s.io    | ClusterRole
      kube-system_system__leader-locking_rbac.authorization.k8s.io_RoleBinding    | kube-system| system:leader-locking                   | rbac.authorization.k8s.io    | RoleBinding
      _oidc__admins_rbac.authorization.k8s.io_ClusterRoleBinding                  |            | oidc:admins                             | rbac.authorization.k8s.io    | ClusterRoleBinding
      team_a__b_example.com_Widget                                                | team       | a__b                                    | example.com                  | Widget
      team_name_with_underscores_example.com_Widget                               | team       | name_with_underscores                   | example.com                  | Widget
      flux-system_flux-system_kustomize.toolkit.fluxcd.io_Kustomization           | flux-system| flux-system                             | kustomize.toolkit.fluxcd.io  | Kustomization
      """)
  void parsesAndWritesBack(String id, String namespace, String name, String group, String kind) {
    ObjectId parsed = ObjectId.parse(id);

    assertThat(parsed).isEqualTo(new ObjectId(namespace, name, group, kind));
    assertThat(parsed.inventoryId()).isEqualTo(id);
    assertThat(parsed.isClusterScoped()).isEqualTo(namespace == null);
  }

  @ParameterizedTest(name = "[{index}] ''{0}''")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
                                     | at least three '_'
      podinfo                        | at least three '_'
      podinfo_podinfo                | at least three '_'
      podinfo_podinfo_Deployment     | at least three '_'
      ns__apps_Deployment            | empty name
      ns_name_apps_                  | empty kind
      """)
  void refusesMalformedIds(String text, String message) {
    String id = text == null ? "" : text;
    assertThatThrownBy(() -> ObjectId.parse(id))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message)
        .hasMessageContaining("'" + id + "'");
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      a colon outside RBAC is written as is | ns | a:b            | example.com                | Widget      | ns_a:b_example.com_Widget
      a Role's colon becomes two underscores| ns | system:x       | rbac.authorization.k8s.io  | Role        | ns_system__x_rbac.authorization.k8s.io_Role
      """)
  void writesRbacColons(
      String name, String namespace, String objectName, String group, String kind, String id) {
    assertThat(new ObjectId(namespace, objectName, group, kind).inventoryId())
        .as(name)
        .isEqualTo(id);
  }
}
