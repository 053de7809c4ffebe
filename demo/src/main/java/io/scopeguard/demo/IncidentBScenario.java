package io.scopeguard.demo;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.scopeguard.api.ClusterScope;
import io.scopeguard.api.ClusterTarget;
import io.scopeguard.api.HeldReconciliation;
import io.scopeguard.api.SourceRule;
import io.scopeguard.approval.Annotations;
import io.scopeguard.kinds.Json;
import io.scopeguard.testkit.FluxObjects;
import io.scopeguard.testkit.Identities;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Incident B replayed: production's flux-system GitRepository is re-pointed at an empty repository
 * over a fleet of about 400 objects (three child Kustomizations, a HelmRelease, their workloads). A
 * stand-in source-controller publishes each revision through scopeguard's admission as the API
 * server would, and a stand-in kustomize-controller starts reconciling the instant an artifact
 * appears: the empty revision is never published, nothing is deleted, flux-system is held with
 * MassDeletion, and only approving that revision lets it through and the prune happen. A benign
 * revision (three objects removed) passes untouched first.
 *
 * <p>Needs {@code kubectl} on the PATH: the stand-in builds with {@code kubectl kustomize}.
 */
public final class IncidentBScenario implements Scenario, AutoCloseable {

  public static final String FLUX = "flux-system";
  public static final String EMPTY_REVISION = "main@sha1:" + "c".repeat(40);

  /** Production's fleet repository, and the empty one a re-run bootstrap points Flux at. */
  public static final String PROD_FLEET = "ssh://git@github.com/acme/prod-fleet";

  public static final String TEST_FLEET = "ssh://git@github.com/acme/test-fleet";
  private static final String KUSTOMIZATIONS = "kustomize.toolkit.fluxcd.io/v1";

  private StandInSourceController source;
  private StandInKustomizeController kustomize;
  private Path repositories;

  @Override
  public String name() {
    return "incident-b";
  }

  @Override
  public String title() {
    return "flux-system re-pointed at an empty repository over ~400 objects; nothing is pruned until approved";
  }

  @Override
  public void play(ScenarioContext context) {
    PrintWriter out = context.out();
    try (this) {
      int fleet = setUp(context);
      out.printf(
          "  Production runs Flux over %d objects (3 child Kustomizations, a HelmRelease, their workloads).%n",
          fleet);
      int remaining = publishBenign(context);
      out.printf(
          "  A benign revision removes 3 ConfigMaps: pruned without a hold (%d objects remain).%n",
          remaining);
      HeldReconciliation row = repointAtEmptyRepository(context);
      out.printf(
          "  flux-system is re-pointed at an empty repository. source-controller's status write of the empty"
              + " revision is refused at admission (%d refusals so far): the GitRepository still serves %s, so the stand-in"
              + " kustomize-controller, which reconciles on every new artifact at once, never sees it.%n",
          source.failures().size(),
          Json.text(source.repository(FLUX, FLUX), "/status/artifact/revision").orElse("none"));
      out.printf(
          "  Deletes attempted: %d; objects still present: %d of %d.%n",
          kustomize.deletes() + kustomize.refusedDeletes(),
          fleetObjects(context.client()).size(),
          remaining);
      out.printf(
          "  ClusterScope prod holds flux-system: %s%n    %s%n    approve: %s%n",
          row.getReason(), row.getMessage(), row.getApprove());
      approveEmptyRevision(context);
      out.printf(
          "  A person approves that exact revision; scopeguard asks source-controller to publish it now, and the"
              + " prune goes through: %d objects remain.%n",
          fleetObjects(context.client()).size());
      out.flush();
    }
  }

  /**
   * Starts the stand-in Flux, creates flux-system and the fleet; returns the fleet's object count.
   */
  public int setUp(ScenarioContext context) {
    try {
      KubernetesClient client = context.client();
      source = new StandInSourceController(context.clientAs(Identities.SOURCE_CONTROLLER)).start();
      kustomize =
          new StandInKustomizeController(
                  context.clientAs(Identities.KUSTOMIZE_CONTROLLER), context::clientAs)
              .start();
      repositories = Files.createTempDirectory("scopeguard-incident-b");
      context.create(new NamespaceBuilder().withNewMetadata().withName(FLUX).endMetadata().build());
      ClusterScope prod = new ClusterScope();
      prod.getMetadata().setName(FleetRepository.SCOPE);
      prod.getSpec().setCluster(ClusterTarget.local());
      prod.getSpec().setEnvironment("production");
      prod.getSpec().setSources(List.of(new SourceRule("ssh://git@github.com/acme/*")));
      context.create(prod);
      Path fleet = repositories.resolve("fleet");
      FleetRepository.writeFleet(fleet, 0);
      source.push(PROD_FLEET, fleet, "main@sha1:" + "a".repeat(40));
      GenericKubernetesResource root =
          FluxObjects.kustomization(FLUX, FLUX, FleetRepository.SCOPE, null, FLUX);
      @SuppressWarnings("unchecked")
      Map<String, Object> spec = (Map<String, Object>) root.getAdditionalProperties().get("spec");
      spec.put("path", "./clusters/prod");
      context.create(root);
      context.create(FluxObjects.gitRepository(FLUX, FLUX, PROD_FLEET));
      context.await(
          "the fleet to be applied",
          () -> fleetObjects(client).size() >= 8 + 3 * FleetRepository.PER_CHILD ? true : null);
      installHelmRelease(client, 60);
      return fleetObjects(client).size();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Publishes a revision that removes three ConfigMaps; returns the objects left once it is
   * applied.
   */
  public int publishBenign(ScenarioContext context) {
    int before = fleetObjects(context.client()).size();
    push(PROD_FLEET, "benign", "main@sha1:" + "b".repeat(40), 3);
    context.await(
        "the benign revision to be applied",
        () -> fleetObjects(context.client()).size() == before - 3 ? true : null);
    return before - 3;
  }

  /** Re-points flux-system at an empty repository; returns flux-system's row once it is held. */
  public HeldReconciliation repointAtEmptyRepository(ScenarioContext context) {
    push(TEST_FLEET, "empty", EMPTY_REVISION, -1);
    FluxObjects.setSpec(
        context.client(),
        StandInSourceController.API_VERSION,
        "GitRepository",
        FLUX,
        FLUX,
        "url",
        TEST_FLEET);
    context.await(
        "flux-system to be held",
        () -> {
          GenericKubernetesResource k = kustomization(context.client(), FLUX);
          return FluxObjects.suspended(k)
                  && "MassDeletion".equals(FluxObjects.annotation(k, Annotations.SUSPENDED_REASON))
              ? k
              : null;
        });
    context.await(
        "the empty revision to be refused to the GitRepository",
        () ->
            EMPTY_REVISION.equals(
                    FluxObjects.annotation(
                        source.repository(FLUX, FLUX), Annotations.REFUSED_REVISION))
                ? true
                : null);
    return context.await(
        "ClusterScope prod to list flux-system",
        () -> {
          ClusterScope prod =
              context.client().resources(ClusterScope.class).withName(FleetRepository.SCOPE).get();
          return prod == null || prod.getStatus() == null
              ? null
              : prod.getStatus().getSuspended().stream()
                  .filter(r -> r.getName().equals(FLUX))
                  .findFirst()
                  .orElse(null);
        });
  }

  /** Approves the empty revision as a person would, and waits for the prune to go through. */
  public void approveEmptyRevision(ScenarioContext context) {
    FluxObjects.annotate(
        context.client(),
        KUSTOMIZATIONS,
        "Kustomization",
        FLUX,
        FLUX,
        Annotations.APPROVE,
        EMPTY_REVISION);
    context.await(
        "the approved prune to go through",
        () -> fleetObjects(context.client()).isEmpty() ? true : null);
  }

  public StandInKustomizeController kustomizeController() {
    return kustomize;
  }

  public StandInSourceController sourceController() {
    return source;
  }

  /**
   * Pushes a revision of the fleet repository ({@code removeFromAppsA} < 0: the empty one) to a Git
   * URL.
   */
  private void push(String url, String name, String revision, int removeFromAppsA) {
    try {
      Path dir = repositories.resolve(name);
      if (removeFromAppsA < 0) {
        FleetRepository.writeEmpty(dir);
      } else {
        FleetRepository.writeFleet(dir, removeFromAppsA);
      }
      source.push(url, dir, revision);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The release helm-controller would have installed: ConfigMaps listed in the HelmRelease's
   * inventory.
   */
  private static void installHelmRelease(KubernetesClient client, int objects) {
    List<Map<String, Object>> entries = new ArrayList<>();
    for (int i = 0; i < objects; i++) {
      client
          .resource(
              new GenericKubernetesResourceBuilder()
                  .withApiVersion("v1")
                  .withKind("ConfigMap")
                  .withNewMetadata()
                  .withNamespace("podinfo")
                  .withName("podinfo-" + i)
                  .withLabels(
                      Map.of(
                          "helm.toolkit.fluxcd.io/name",
                          "podinfo",
                          "helm.toolkit.fluxcd.io/namespace",
                          "podinfo"))
                  .endMetadata()
                  .build())
          .create();
      entries.add(Map.of("id", "podinfo_podinfo-" + i + "__ConfigMap", "v", "v1"));
    }
    var releases =
        client
            .genericKubernetesResources("helm.toolkit.fluxcd.io/v2", "HelmRelease")
            .inNamespace("podinfo");
    GenericKubernetesResource release = releases.withName("podinfo").get();
    release
        .getAdditionalProperties()
        .put("status", Map.of("inventory", Map.of("entries", entries)));
    releases.resource(release).updateStatus();
  }

  /**
   * Every object of the fleet that exists now: workloads, namespaces, child Kustomizations, the
   * release.
   */
  public static List<String> fleetObjects(KubernetesClient client) {
    List<String> names = new ArrayList<>();
    for (String ns : List.of("apps-a", "apps-b", "infra", "podinfo")) {
      client
          .apps()
          .deployments()
          .inNamespace(ns)
          .list()
          .getItems()
          .forEach(d -> names.add("Deployment " + ns + "/" + d.getMetadata().getName()));
      client
          .services()
          .inNamespace(ns)
          .list()
          .getItems()
          .forEach(s -> names.add("Service " + ns + "/" + s.getMetadata().getName()));
      client
          .configMaps()
          .inNamespace(ns)
          .list()
          .getItems()
          .forEach(c -> names.add("ConfigMap " + ns + "/" + c.getMetadata().getName()));
      if (client.namespaces().withName(ns).get() != null) {
        names.add("Namespace " + ns);
      }
    }
    client
        .genericKubernetesResources(KUSTOMIZATIONS, "Kustomization")
        .inNamespace(FLUX)
        .list()
        .getItems()
        .stream()
        .filter(k -> !k.getMetadata().getName().equals(FLUX))
        .forEach(k -> names.add("Kustomization " + k.getMetadata().getName()));
    client
        .genericKubernetesResources("helm.toolkit.fluxcd.io/v2", "HelmRelease")
        .inNamespace("podinfo")
        .list()
        .getItems()
        .forEach(h -> names.add("HelmRelease " + h.getMetadata().getName()));
    return names;
  }

  public static GenericKubernetesResource kustomization(KubernetesClient client, String name) {
    return client
        .genericKubernetesResources(KUSTOMIZATIONS, "Kustomization")
        .inNamespace(FLUX)
        .withName(name)
        .get();
  }

  @Override
  public void close() {
    if (kustomize != null) {
      kustomize.close();
    }
    if (source != null) {
      source.close();
    }
  }
}
