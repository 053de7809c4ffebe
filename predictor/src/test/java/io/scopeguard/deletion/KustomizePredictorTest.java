package io.scopeguard.deletion;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The predictor's three outcomes, one construct per row. Files are written {@code path=content ;;
 * path=content}, content in YAML flow style with {@code \n} for a line break; the spec is a
 * flow-style {@code spec} ({@code -} for none). Rows marked {@code kubectl} are also built by
 * {@link KustomizeOracle} when kubectl is there and must agree; rows marked {@code flux} pin what
 * kustomize-controller does beyond kustomize (its path confinement, its checks, its lenient
 * top-level file, postBuild) or where its kustomize (v5.8) differs from kubectl's (v5.5).
 */
class KustomizePredictorTest {

  private static final String CM = "{apiVersion: v1, kind: ConfigMap, metadata: {name: app}}";

  static MapSourceFiles files(String table) {
    MapSourceFiles files = new MapSourceFiles();
    if (table.isBlank()) {
      return files;
    }
    for (String file : table.split(" ;; ")) {
      int equals = file.indexOf('=');
      files.put(
          file.substring(0, equals).trim(),
          file.substring(equals + 1).trim().replace("$CM", CM).replace("\\n", "\n"));
    }
    return files;
  }

  static KustomizationSpecFacts spec(String spec) {
    return spec.equals("-")
        ? KustomizationSpecFacts.ofPath("")
        : KustomizationSpecFacts.fromSpec(YamlDocs.parse(spec.replace("\\n", "\n"), "spec").get(0));
  }

  static Prediction predict(String files, String spec) {
    return KustomizePredictor.predict(files(files), spec(spec), ScopedKinds.builtIn());
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      textBlock =
          """
      remote base over https          | apps/kustomization.yaml={resources: ['https://github.com/acme/base//apps?ref=v1']}    | {path: apps} | remote base https://github.com/acme/base//apps?ref=v1 in apps/kustomization.yaml
      remote base, github shorthand   | kustomization.yaml={resources: [a.yaml, github.com/acme/base/apps]} ;; a.yaml=$CM   | -            | remote base github.com/acme/base/apps in kustomization.yaml
      remote base, scp-like git url   | kustomization.yaml={resources: ['git@gitlab.com:acme/base.git']}                    | -            | remote base git@gitlab.com:acme/base.git
      remote base in a nested base    | kustomization.yaml={resources: [base]} ;; base/kustomization.yaml={resources: ['ssh://git@host/repo']} | - | remote base ssh://git@host/repo in base/kustomization.yaml
      remote component                | kustomization.yaml={components: ['https://example.com/comp']}                          | -            | remote component https://example.com/comp
      generator file from a URL       | kustomization.yaml={configMapGenerator: [{name: c, files: ['https://example.com/f']}]} | -            | remote file https://example.com/f
      helmCharts                      | kustomization.yaml={helmCharts: [{name: podinfo, repo: 'https://x'}]}                  | -            | helmCharts in kustomization.yaml
      helmChartInflationGenerator     | kustomization.yaml={helmChartInflationGenerator: [{chartName: x}]}                   | -            | helmChartInflationGenerator in kustomization.yaml
      replacements                    | kustomization.yaml={resources: [a.yaml], replacements: [{path: r.yaml}]} ;; a.yaml=$CM | -          | replacements in kustomization.yaml
      custom configurations           | kustomization.yaml={configurations: [prefix.yaml]}                                   | -            | custom transformer configurations in kustomization.yaml
      transformer plugins             | kustomization.yaml={transformers: [t.yaml]}                                          | -            | transformer plugins in kustomization.yaml
      generator plugins               | kustomization.yaml={generators: [g.yaml]}                                            | -            | generator plugins in kustomization.yaml
      custom OpenAPI schema           | kustomization.yaml={openapi: {path: schema.json}}                                    | -            | a custom OpenAPI schema in kustomization.yaml
      patch with allowNameChange      | kustomization.yaml={resources: [a.yaml], patches: [{path: p.yaml, options: {allowNameChange: true}}]} ;; a.yaml=$CM | - | patch with allowNameChange in kustomization.yaml
      patch with allowKindChange      | kustomization.yaml={patches: [{patch: x, options: {allowKindChange: true}}]}         | -            | patch with allowKindChange in kustomization.yaml
      JSON patch renaming             | kustomization.yaml={resources: [a.yaml], patches: [{target: {kind: ConfigMap}, patch: '- {op: replace, path: /metadata/name, value: b}'}]} ;; a.yaml=$CM | - | changes /metadata/name of ConfigMap app
      JSON patch moving the namespace | kustomization.yaml={resources: [a.yaml], patches: [{target: {name: app}, patch: '- {op: move, from: /metadata/namespace, path: /x}'}]} ;; a.yaml=$CM | - | changes /metadata/namespace
      JSON patch replacing metadata   | kustomization.yaml={resources: [a.yaml], patches: [{target: {name: app}, patch: '- {op: add, path: /metadata, value: {}}'}]} ;; a.yaml=$CM | - | changes /metadata of
      patch changing generated data   | kustomization.yaml={configMapGenerator: [{name: c, literals: [a=1]}], patches: [{patch: '{apiVersion: v1, kind: ConfigMap, metadata: {name: c}, data: {a: 2}}'}]} | - | changes the content of generated ConfigMap c, and so its name hash
      JSON patch on generated data    | kustomization.yaml={secretGenerator: [{name: s, literals: [a=1]}], patches: [{target: {kind: Secret}, patch: '- {op: add, path: /data/b, value: Yg==}'}]} | - | changes the content of generated Secret s
      SOPS-encrypted manifest         | secret.yaml={apiVersion: v1, kind: Secret, metadata: {name: db}, data: {p: 'ENC[AES256_GCM,data:x]'}, sops: {mac: 'ENC[AES256_GCM,data:y]'}} | - | SOPS-encrypted file secret.yaml
      SOPS-encrypted env file         | kustomization.yaml={secretGenerator: [{name: s, envs: [s.env]}]} ;; s.env=A=ENC[AES256_GCM,data:x]\\nsops_mac=ENC[AES256_GCM,data:y] | - | SOPS-encrypted file s.env
      YAML merge key                  | a.yaml=base: &b {x: 1}\\napiVersion: v1\\nkind: ConfigMap\\nmetadata: {name: a}\\ndata: {<<: *b} | - | YAML merge key '<<' in a.yaml
      YAML alias to a scalar          | a.yaml=apiVersion: v1\\nkind: ConfigMap\\nmetadata: {name: &n a, labels: {x: *n}}   | -            | YAML alias *n to a scalar in a.yaml
      substituteFrom may rename       | a.yaml={apiVersion: v1, kind: ConfigMap, metadata: {name: 'app-${cluster}'}}          | {postBuild: {substituteFrom: [{kind: ConfigMap, name: vars}]}} | postBuild.substituteFrom may set ${cluster}
      variable not given              | a.yaml={apiVersion: v1, kind: ConfigMap, metadata: {name: app, namespace: '${ns}'}}   | {postBuild: {substitute: {other: x}}} | ${ns} in ConfigMap app from a.yaml is not in postBuild.substitute
      bash operation on a variable    | a.yaml={apiVersion: v1, kind: ConfigMap, metadata: {name: '${name^^}'}}               | {postBuild: {substitute: {name: x}}} | postBuild substitution of ${name^^}
      default that depends on strict  | a.yaml={apiVersion: v1, kind: ConfigMap, metadata: {name: '${name-x}'}}               | {postBuild: {substitute: {other: y}}} | postBuild substitution of ${name-x}
      escaped dollar                  | a.yaml={apiVersion: v1, kind: ConfigMap, metadata: {name: 'a$${b}'}}                  | {postBuild: {substitute: {b: x}}} | escaped '$$'
      postBuild without variables     | a.yaml={apiVersion: v1, kind: ConfigMap, metadata: {name: '${name:=x}'}}              | {postBuild: {}} | spec.postBuild sets no variables
      variable in the kind            | a.yaml={apiVersion: v1, kind: '${kind}', metadata: {name: a}}                         | {postBuild: {substitute: {kind: ConfigMap}}} | postBuild substitution in the kind
      catastrophic target pattern     | kustomization.yaml={resources: [a.yaml], patches: [{target: {name: '(.*a){12}b'}, patch: '- {op: test, path: /a}'}]} ;; a.yaml={apiVersion: v1, kind: ConfigMap, metadata: {name: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa}} | - | takes too long to match
      unparseable target pattern      | kustomization.yaml={resources: [a.yaml], patches: [{target: {name: '(?<x'}, patch: '- {op: test, path: /a}'}]} ;; a.yaml=$CM | - | patch target pattern '(?<x'
      """)
  void unknownConstructs(String name, String files, String spec, String reason) {
    Prediction prediction = predict(files, spec);

    assertThat(prediction.outcome())
        .as("%s: %s", name, prediction)
        .isEqualTo(Prediction.Outcome.UNKNOWN);
    assertThat(prediction.reason()).as(name).contains(reason);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      textBlock =
          """
      missing path                    | a.yaml=$CM                                                                   | {path: ./clusters/prod}  | kustomization path not found: ./clusters/prod | kubectl
      path is a file                  | a.yaml=$CM                                                                   | {path: a.yaml}           | kustomization path a.yaml is a file | kubectl
      resource outside the artifact   | apps/kustomization.yaml={resources: [../../x.yaml]}                          | {path: apps}             | ../../x.yaml in apps/kustomization.yaml points outside the source artifact | flux
      absolute resource path          | kustomization.yaml={resources: [/etc/hosts]}                                 | -                        | absolute path /etc/hosts | flux
      missing resource                | kustomization.yaml={resources: [a.yaml, b.yaml]} ;; a.yaml=$CM               | -                        | resource b.yaml in kustomization.yaml does not exist | kubectl
      invalid YAML in a plain folder  | a.yaml=kind: [unclosed                                                       | -                        | invalid YAML in a.yaml | kubectl
      non-manifest YAML               | values.yaml={replicaCount: 2}                                                | -                        | missing kind in an object in values.yaml | kubectl
      scalar document                 | a.yaml=just text                                                             | -                        | document 1 in a.yaml is not a YAML mapping | kubectl
      object without a name           | a.yaml={apiVersion: v1, kind: ConfigMap, metadata: {labels: {a: b}}}         | -                        | missing metadata.name in ConfigMap in a.yaml | kubectl
      object without an apiVersion    | a.yaml={kind: ConfigMap, metadata: {name: a}}                                | -                        | has no apiVersion, kind or name | flux
      list of strings expected        | kustomization.yaml={resources: a.yaml} ;; a.yaml=$CM                         | -                        | resources in kustomization.yaml must be a list | kubectl
      JSON patch without target       | kustomization.yaml={resources: [a.yaml], patches: [{patch: '- {op: add, path: /data, value: {}}'}]} ;; a.yaml=$CM | - | must have a target | kubectl
      missing patch file              | kustomization.yaml={resources: [a.yaml], patches: [{path: p.yaml}]} ;; a.yaml=$CM | -                   | patch file p.yaml in kustomization.yaml does not exist | kubectl
      patch with patch and path       | kustomization.yaml={patches: [{path: p.yaml, patch: x}]}                     | -                        | must have exactly one of patch and path | kubectl
      spec patch matching nothing     | a.yaml=$CM                                                                   | {patches: [{patch: '{apiVersion: v1, kind: Secret, metadata: {name: app}}'}]} | no matches for strategic merge patch Secret app | kubectl
      remote spec component           | a.yaml=$CM                                                                   | {components: ['https://x/c']} | component path 'https://x/c' in spec.components must be local and relative | flux
      missing spec component          | a.yaml=$CM                                                                   | {components: [comp]}     | component comp in kustomization.yaml (generated by Flux) is not a directory | kubectl
      component without Component kind| a.yaml=$CM ;; comp/kustomization.yaml={resources: [b.yaml]} ;; comp/b.yaml={apiVersion: v1, kind: Secret, metadata: {name: b}} | {components: [comp]}     | expected kind Component for comp | kubectl
      wrong kustomization apiVersion  | kustomization.yaml={apiVersion: kustomize.toolkit.fluxcd.io/v1, kind: Kustomization} | -                | apiVersion for Kustomization should be kustomize.config.k8s.io/v1beta1 | kubectl
      wrong kustomization kind        | kustomization.yaml={kind: Deployment}                                        | -                        | kind should be Kustomization or Component | kubectl
      parent directory as a resource  | apps/kustomization.yaml={resources: [..]} ;; kustomization.yaml={resources: [apps]} | {path: apps}      | cycle: .. in apps/kustomization.yaml contains apps | kubectl
      bases that include each other   | a/kustomization.yaml={resources: [../b]} ;; b/kustomization.yaml={resources: [../a]} | {path: a} | cycle: ../a in b/kustomization.yaml contains a | kubectl
      component including its parent  | kustomization.yaml={resources: [a.yaml], components: [c]} ;; a.yaml=$CM ;; c/kustomization.yaml={kind: Component, components: [..]} | - | cycle: .. in c/kustomization.yaml contains the source root | kubectl
      generator without a name        | kustomization.yaml={configMapGenerator: [{literals: [a=1]}]}                 | -                        | a ConfigMap generator in kustomization.yaml has no name | kubectl
      invalid literal                 | kustomization.yaml={configMapGenerator: [{name: c, literals: [novalue]}]}    | -                        | invalid literal source novalue | kubectl
      two generators, same name       | kustomization.yaml={configMapGenerator: [{name: c}, {name: c}]}              | -                        | exists; behavior must be merge or replace | kubectl
      a component inside a plain folder | c/kustomization.yaml={kind: Component, resources: [a.yaml]} ;; c/a.yaml=$CM | {components: [c]}      | ./c in kustomization.yaml (generated by Flux) is a Component | kubectl
      bracketed patch that is not JSON| kustomization.yaml={resources: [a.yaml], patches: [{target: {name: app}, patch: '[{op: add, path: /data, value: {}}]'}]} ;; a.yaml=$CM | - | document 1 in a patch in kustomization.yaml is not a YAML mapping | kubectl
      legacy JSON patch without a name| kustomization.yaml={resources: [a.yaml], patchesJson6902: [{target: {kind: ConfigMap}, patch: '- {op: add, path: /data, value: {}}'}]} ;; a.yaml=$CM | - | patchesJson6902 entry in kustomization.yaml must name its target | kubectl
      replace without a base          | kustomization.yaml={secretGenerator: [{name: s, behavior: replace}]}         | -                        | does not exist; cannot replace | kubectl
      """)
  void buildFailures(
      String name, String files, String spec, String reason, String oracle, @TempDir Path work)
      throws Exception {
    Prediction prediction = predict(files, spec);

    assertThat(prediction.outcome())
        .as("%s: %s", name, prediction)
        .isEqualTo(Prediction.Outcome.BUILD_FAILS);
    assertThat(prediction.reason()).as(name).contains(reason);
    if (oracle.equals("kubectl") && KustomizeOracle.available()) {
      assertThat(
              KustomizeOracle.run(files(files), spec(spec), ScopedKinds.builtIn(), work).failure())
          .as("kubectl must refuse it too")
          .isNotNull();
    }
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      textBlock =
          """
      an empty source builds to nothing          |                                                                           | -                                   | | kubectl
      an empty path builds to nothing            | apps/README.md=moved ;; other/a.yaml=$CM                                  | {path: apps}                        | | kubectl
      a path climbs no higher than the root      | a.yaml=$CM                                                                | {path: ../../..}                    | _app__ConfigMap | kubectl
      targetNamespace on the placeholder         | README.md=nothing                                                         | {targetNamespace: x}                | | kubectl
      components into an empty folder            | apps/README.md=x ;; c/kustomization.yaml={kind: Component, resources: [a.yaml]} ;; c/a.yaml=$CM | {path: apps, components: [../c]} | _placeholder_app__ConfigMap | kubectl
      missing components can be ignored          | a.yaml=$CM                                                                | {components: [nope], ignoreMissingComponents: true} | _app__ConfigMap | kubectl
      spec patch deletes by target               | a.yaml=$CM ;; b.yaml={apiVersion: v1, kind: Secret, metadata: {name: s, namespace: n}} | {patches: [{patch: '{apiVersion: v1, kind: ConfigMap, metadata: {name: x}, $patch: delete}', target: {kind: ConfigMap}}]} | n_s__Secret | kubectl
      spec patch label selector sees base labels | a.yaml={apiVersion: v1, kind: ConfigMap, metadata: {name: a, labels: {tier: x}}} ;; b.yaml={apiVersion: v1, kind: ConfigMap, metadata: {name: b}} | {patches: [{patch: '{apiVersion: v1, kind: ConfigMap, metadata: {name: x}, $patch: delete}', target: {labelSelector: 'tier'}}]} | _b__ConfigMap | kubectl
      images change no identity                  | a.yaml=$CM                                                                | {images: [{name: nginx, newTag: '2'}]} | _app__ConfigMap | kubectl
      Flux's prefix replaces the top-level one   | kustomization.yaml={namePrefix: own-, resources: [a.yaml]} ;; a.yaml=$CM  | {namePrefix: flux-}                 | _flux-app__ConfigMap | kubectl
      targetNamespace replaces the namespace     | kustomization.yaml={namespace: own, resources: [a.yaml]} ;; a.yaml=$CM    | {targetNamespace: flux}             | flux_app__ConfigMap | kubectl
      unknown root fields are dropped by Flux    | kustomization.yaml={resources: [a.yaml], notAField: 1} ;; a.yaml=$CM      | -                                   | _app__ConfigMap | flux
      substitution from the inline variables     | a.yaml={apiVersion: v1, kind: ConfigMap, metadata: {name: 'app-${env}', namespace: '${ns:=fallback}'}} | {postBuild: {substitute: {env: prod}}} | fallback_app-prod__ConfigMap | flux
      inline variables override substituteFrom   | a.yaml={apiVersion: v1, kind: ConfigMap, metadata: {name: 'app-${env}'}}  | {postBuild: {substitute: {env: prod}, substituteFrom: [{kind: ConfigMap, name: v}]}} | _app-prod__ConfigMap | flux
      substituteFrom without expressions in ids  | a.yaml={apiVersion: v1, kind: ConfigMap, metadata: {name: app}, data: {x: '${y}'}} | {postBuild: {substituteFrom: [{kind: Secret, name: v}]}} | _app__ConfigMap | flux
      substitution disabled on the object        | a.yaml={apiVersion: v1, kind: ConfigMap, metadata: {name: 'a-${x}', annotations: {kustomize.toolkit.fluxcd.io/substitute: disabled}}} | {postBuild: {substituteFrom: [{kind: Secret, name: v}]}} | _a-${x}__ConfigMap | flux
      an empty default                           | a.yaml={apiVersion: v1, kind: ConfigMap, metadata: {name: 'a${suffix:-}'}} | {postBuild: {substitute: {x: y}}} | _a__ConfigMap | flux
      no postBuild, no substitution              | a.yaml={apiVersion: v1, kind: ConfigMap, metadata: {name: 'a-${x}'}}      | -                                   | _a-${x}__ConfigMap | kubectl
      cluster-scoped CRD in the build            | a.yaml={apiVersion: apiextensions.k8s.io/v1, kind: CustomResourceDefinition, metadata: {name: gs.x.io}, spec: {group: x.io, scope: Cluster, names: {kind: G}}} ;; b.yaml={apiVersion: x.io/v1, kind: G, metadata: {name: g}} | {targetNamespace: t} | _g_x.io_G _gs.x.io_apiextensions.k8s.io_CustomResourceDefinition | kubectl
      a v1 Namespace takes the namespace's name  | a.yaml={apiVersion: v1, kind: Namespace, metadata: {name: placeholder}}   | {targetNamespace: team}             | _team__Namespace | kubectl
      local-config objects are not applied       | kustomization.yaml={resources: [a.yaml], commonAnnotations: {config.kubernetes.io/local-config: 'true'}} ;; a.yaml=$CM | - | | kubectl
      YAML JSON patches read yes as true         | kustomization.yaml={resources: [a.yaml], patches: [{target: {name: app}, patch: '- {op: add, path: /metadata/labels, value: {gone: yes}}'}, {target: {labelSelector: gone=true}, patch: '{apiVersion: v1, kind: ConfigMap, metadata: {name: z}, $patch: delete}'}]} ;; a.yaml=$CM | - | | kubectl
      patch on generated labels keeps the hash   | kustomization.yaml={configMapGenerator: [{name: c, literals: [a=1]}], patches: [{patch: '{apiVersion: v1, kind: ConfigMap, metadata: {name: c, labels: {x: y}}}'}]} | - | _c-h29d89cmmt__ConfigMap | kubectl
      a patch of only comments does nothing      | kustomization.yaml={resources: [a.yaml], patches: [{target: {kind: ConfigMap}, patch: '# later'}]} ;; a.yaml=$CM | - | _app__ConfigMap | flux
      generator keys are not validated           | kustomization.yaml={configMapGenerator: [{name: c, literals: ['a b=1'], envs: [e.env]}]} ;; e.env=1A=x | - | _c-m694thbd2g__ConfigMap | kubectl
      """)
  void knownIdentities(
      String name, String files, String spec, String ids, String oracle, @TempDir Path work)
      throws Exception {
    String source = files == null ? "" : files;
    Prediction prediction = predict(source, spec);

    assertThat(prediction.outcome())
        .as("%s: %s", name, prediction)
        .isEqualTo(Prediction.Outcome.KNOWN);
    List<String> expected =
        ids == null ? List.of() : Arrays.stream(ids.trim().split(" ")).sorted().toList();
    assertThat(inventoryIds(prediction.ids())).as(name).isEqualTo(expected);
    if (oracle.equals("kubectl") && KustomizeOracle.available()) {
      KustomizeOracle.Result built =
          KustomizeOracle.run(files(source), spec(spec), ScopedKinds.builtIn(), work);
      assertThat(built.failure()).as("kubectl").isNull();
      assertThat(inventoryIds(built.ids())).as("kubectl's identities").isEqualTo(expected);
    }
  }

  private static List<String> inventoryIds(Set<ObjectId> ids) {
    return ids.stream().map(ObjectId::inventoryId).sorted().toList();
  }

  @Test
  void clusterScopedKindsFromTheClusterLoseTheirNamespace() {
    MapSourceFiles files =
        files("a.yaml={apiVersion: cert-manager.io/v1, kind: ClusterIssuer, metadata: {name: le}}");
    KustomizationSpecFacts spec = spec("{targetNamespace: certs}");

    assertThat(KustomizePredictor.predict(files, spec, ScopedKinds.builtIn()).ids())
        .containsExactly(new ObjectId("certs", "le", "cert-manager.io", "ClusterIssuer"));
    assertThat(
            KustomizePredictor.predict(
                    files, spec, ScopedKinds.builtInAnd(List.of("ClusterIssuer.cert-manager.io")))
                .ids())
        .containsExactly(new ObjectId("", "le", "cert-manager.io", "ClusterIssuer"));
  }

  @Test
  void binaryContentGoesToBinaryDataAndIntoTheHash() {
    MapSourceFiles files =
        files("kustomization.yaml={configMapGenerator: [{name: bin, files: [b.dat]}]}")
            .put("b.dat", new byte[] {(byte) 0xff, 0x00, 0x01});

    Prediction prediction =
        KustomizePredictor.predict(files, KustomizationSpecFacts.ofPath(""), ScopedKinds.builtIn());

    assertThat(prediction.ids())
        .singleElement()
        .satisfies(id -> assertThat(id.name()).matches("bin-[a-z0-9]{10}"));
  }

  @Test
  void deeplyNestedYamlIsNotGuessedAt() {
    String deep = "a: " + "[".repeat(5000) + "]".repeat(5000);
    MapSourceFiles files =
        MapSourceFiles.of(
            "a.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata:\n  " + deep);

    Prediction prediction =
        KustomizePredictor.predict(files, KustomizationSpecFacts.ofPath(""), ScopedKinds.builtIn());

    assertThat(prediction.outcome())
        .as("beyond what scopeguard reads: refused, not let through")
        .isEqualTo(Prediction.Outcome.UNREADABLE);
    assertThat(prediction.reason()).contains("nested deeper than 1000 levels in a.yaml");
  }

  /** The 453-byte "billion laughs": nine levels of ten aliases each, 10^9 strings once expanded. */
  static final String BILLION_LAUGHS =
      """
      apiVersion: v1
      kind: ConfigMap
      metadata: {name: lol}
      data:
        a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
        b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
        c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
        d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
        e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
        f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
        g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
        h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
        i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
      """;

  @Test
  void aYamlAliasBombIsUnreadableNamingTheFileNotAnExhaustedHeap() {
    MapSourceFiles files = MapSourceFiles.of("apps/lol.yaml", BILLION_LAUGHS);

    Prediction prediction =
        Assertions.assertTimeoutPreemptively(
            Duration.ofSeconds(30),
            () ->
                KustomizePredictor.predict(
                    files, KustomizationSpecFacts.ofPath(""), ScopedKinds.builtIn()));

    assertThat(prediction.outcome()).isEqualTo(Prediction.Outcome.UNREADABLE);
    assertThat(prediction.reason())
        .isEqualTo(
            "YAML aliases in apps/lol.yaml expand to more than 100,000 nodes"
                + " (kustomize expands them without a limit)");
  }

  @Test
  void aBuildOverItsNodeBudgetIsUnreadableAndAModestAliasIsExpanded() {
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 200; i++) {
      many.append("---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm-")
          .append(i)
          .append("}\ndata: {a: b}\n");
    }
    MapSourceFiles files =
        MapSourceFiles.of("many.yaml", many.toString())
            .put(
                "aliased.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata: &m {name: aliased}\ndata: {copy: *m}\n");

    assertThat(
            KustomizePredictor.predict(
                    files,
                    KustomizationSpecFacts.ofPath(""),
                    ScopedKinds.builtIn(),
                    Budget.nodes(500))
                .reason())
        .isEqualTo("the build produces more than 500 YAML nodes, the judging budget");
    assertThat(
            KustomizePredictor.predict(
                    files, KustomizationSpecFacts.ofPath(""), ScopedKinds.builtIn())
                .ids())
        .hasSize(201);
  }

  @Test
  void yamlWithAByteOrderMarkIsRead(@TempDir Path work) throws Exception {
    String configMap = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s\n";
    MapSourceFiles files =
        new MapSourceFiles()
            .put(
                "utf16.yaml",
                ("\uFEFF" + configMap.formatted("utf16")).getBytes(StandardCharsets.UTF_16LE))
            .put(
                "utf8.yaml",
                ("\uFEFF" + configMap.formatted("utf8")).getBytes(StandardCharsets.UTF_8));

    Prediction prediction =
        KustomizePredictor.predict(files, KustomizationSpecFacts.ofPath(""), ScopedKinds.builtIn());

    assertThat(inventoryIds(prediction.ids()))
        .containsExactly("_utf16__ConfigMap", "_utf8__ConfigMap");
    if (KustomizeOracle.available()) {
      assertThat(
              KustomizeOracle.run(
                      files, KustomizationSpecFacts.ofPath(""), ScopedKinds.builtIn(), work)
                  .ids())
          .isEqualTo(prediction.ids());
    }
  }

  @Test
  void aFailingSourceIsUnreadableNotACrash() {
    SourceFiles broken = new MapSourceFiles().put("a.yaml", "kind: ConfigMap");
    SourceFiles failing =
        new SourceFiles() {
          @Override
          public boolean isFile(String path) {
            return broken.isFile(path);
          }

          @Override
          public boolean isDirectory(String path) {
            return broken.isDirectory(path);
          }

          @Override
          public List<String> list(String dir) {
            return broken.list(dir);
          }

          @Override
          public byte[] readBytes(String path) {
            throw new UncheckedIOException(new IOException("disk gone"));
          }
        };

    Prediction prediction =
        KustomizePredictor.predict(
            failing, KustomizationSpecFacts.ofPath(""), ScopedKinds.builtIn());

    assertThat(prediction.outcome()).isEqualTo(Prediction.Outcome.UNREADABLE);
    assertThat(prediction.reason()).contains("disk gone");
  }
}
