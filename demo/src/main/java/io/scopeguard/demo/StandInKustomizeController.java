package io.scopeguard.demo;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.scopeguard.kinds.Json;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A stand-in for Flux's kustomize-controller, faithful where the incidents live: it starts a
 * reconcile the instant a watch event arrives (a Kustomization created or changed, a source's new
 * artifact; no head start for anyone) and reads {@code spec.suspend} only from that event's object;
 * it downloads and verifies the artifact, builds the path with {@code kubectl kustomize}, applies
 * to the target cluster (the local one, or the one behind {@code spec.kubeConfig.secretRef},
 * through the kubeconfig in that Secret as Flux does), then prunes old-minus-new; a refused delete
 * fails the reconcile and leaves the old inventory in status. Every write goes through the target's
 * API server, so through its admission. With {@code spec.serviceAccountName} (Flux's multi-tenancy)
 * it applies and prunes as that service account of the Kustomization's namespace, as Flux
 * impersonates it; status it writes as itself. Deleting a child Kustomization deletes its inventory
 * (its finalizer); deleting a HelmRelease uninstalls its release (as helm-controller).
 */
public final class StandInKustomizeController implements AutoCloseable {

  public static final String USER = "system:serviceaccount:flux-system:kustomize-controller";
  public static final String HELM_USER = "system:serviceaccount:flux-system:helm-controller";
  public static final String KUSTOMIZATIONS = "kustomize.toolkit.fluxcd.io/v1";

  /** The finalizer Flux's controllers put on what they reconcile. */
  public static final String FINALIZER = "finalizers.fluxcd.io";

  /** The address space a build may use, as a pod's memory limit bounds kustomize-controller's. */
  private static final long BUILD_MEMORY_KIB = 2_000_000;

  /** How applies to the cluster scopeguard runs in are recorded. */
  public static final String LOCAL = "local";

  private final KubernetesClient client;
  private final Function<String, KubernetesClient> clientAs;
  private final ExecutorService workers = Executors.newFixedThreadPool(4);
  private final HttpClient http = HttpClient.newHttpClient();
  private final Map<String, String> lastRevision = new ConcurrentHashMap<>();
  private final Map<String, Object> locks = new ConcurrentHashMap<>();
  private final Map<String, KubernetesClient> remotes = new ConcurrentHashMap<>();
  private final AtomicInteger refusedDeletes = new AtomicInteger();
  private final AtomicInteger deletes = new AtomicInteger();
  private final List<String> failures = new CopyOnWriteArrayList<>();
  private final List<String> applies = new CopyOnWriteArrayList<>();
  private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
  private SharedIndexInformer<GenericKubernetesResource> kustomizationCache;

  /**
   * @param client acting as kustomize-controller
   * @param clientAs clients acting as other identities (helm-controller, for an uninstall)
   */
  public StandInKustomizeController(
      KubernetesClient client, Function<String, KubernetesClient> clientAs) {
    this.client = client;
    this.clientAs = clientAs;
  }

  public StandInKustomizeController start() {
    kustomizationCache =
        client
            .genericKubernetesResources(KUSTOMIZATIONS, "Kustomization")
            .inAnyNamespace()
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(GenericKubernetesResource k) {
                    workers.execute(() -> reconcile(k));
                  }

                  @Override
                  public void onUpdate(
                      GenericKubernetesResource before, GenericKubernetesResource after) {
                    if (!Objects.equals(
                            before.getMetadata().getGeneration(),
                            after.getMetadata().getGeneration())
                        || !Objects.equals(requestedAt(before), requestedAt(after))) {
                      workers.execute(() -> reconcile(after));
                    }
                  }

                  @Override
                  public void onDelete(GenericKubernetesResource k, boolean unknown) {}
                });
    informers.add(kustomizationCache);
    informers.add(
        client
            .genericKubernetesResources(StandInSourceController.API_VERSION, "GitRepository")
            .inAnyNamespace()
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(GenericKubernetesResource repository) {
                    onArtifact(null, repository);
                  }

                  @Override
                  public void onUpdate(
                      GenericKubernetesResource before, GenericKubernetesResource after) {
                    onArtifact(before, after);
                  }

                  @Override
                  public void onDelete(GenericKubernetesResource repository, boolean unknown) {}
                }));
    return this;
  }

  private void onArtifact(GenericKubernetesResource before, GenericKubernetesResource repository) {
    String revision = Json.text(repository, "/status/artifact/revision").orElse(null);
    if (revision == null
        || before != null
            && revision.equals(Json.text(before, "/status/artifact/revision").orElse(null))) {
      return;
    }
    kustomizationCache.getStore().list().stream()
        .filter(
            k ->
                repository
                    .getMetadata()
                    .getName()
                    .equals(Json.text(k, "/spec/sourceRef/name").orElse(null)))
        .forEach(k -> workers.execute(() -> reconcile(k)));
  }

  /** Deletes that admission refused so far. */
  public int refusedDeletes() {
    return refusedDeletes.get();
  }

  /** Reconciles that failed (as Flux would report them in status), with why. */
  public List<String> failures() {
    return List.copyOf(failures);
  }

  public int deletes() {
    return deletes.get();
  }

  /**
   * Every object applied so far, as {@code <cluster>: <Kind> <namespace>/<name>} ({@link #LOCAL}
   * for this cluster).
   */
  public List<String> applies() {
    return List.copyOf(applies);
  }

  /** Objects applied to one cluster ({@link #LOCAL}, or the Cluster API cluster's name). */
  public List<String> appliesTo(String cluster) {
    return applies.stream().filter(a -> a.startsWith(cluster + ": ")).toList();
  }

  /**
   * One reconcile of the Kustomization as it was when the event arrived: its suspend is read only
   * here.
   */
  private void reconcile(GenericKubernetesResource k) {
    String namespace = k.getMetadata().getNamespace();
    String name = k.getMetadata().getName();
    synchronized (locks.computeIfAbsent(namespace + "/" + name, key -> new Object())) {
      try {
        if (k.getMetadata().getDeletionTimestamp() != null) {
          return;
        }
        ensureFinalizer(k);
        if (Json.flag(k, "/spec/suspend")) {
          return;
        }
        String sourceNamespace =
            Objects.requireNonNullElse(
                Json.text(k, "/spec/sourceRef/namespace").orElse(null), namespace);
        GenericKubernetesResource source =
            client
                .genericKubernetesResources(StandInSourceController.API_VERSION, "GitRepository")
                .inNamespace(sourceNamespace)
                .withName(Json.text(k, "/spec/sourceRef/name").orElse(null))
                .get();
        String revision =
            source == null ? null : Json.text(source, "/status/artifact/revision").orElse(null);
        if (revision == null) {
          return;
        }
        String key = revision + "#" + k.getMetadata().getGeneration();
        if (key.equals(lastRevision.get(namespace + "/" + name))) {
          return;
        }
        Target target = target(k);
        List<GenericKubernetesResource> built =
            build(source, Json.text(k, "/spec/path").orElse(null));
        Set<String> newInventory = new LinkedHashSet<>();
        for (GenericKubernetesResource object : built) {
          object
              .getMetadata()
              .setLabels(
                  new LinkedHashMap<>(
                      Objects.requireNonNullElse(object.getMetadata().getLabels(), Map.of())));
          object.getMetadata().getLabels().put("kustomize.toolkit.fluxcd.io/name", name);
          object.getMetadata().getLabels().put("kustomize.toolkit.fluxcd.io/namespace", namespace);
          if (target.client().resource(object).get() == null) {
            target.client().resource(object).create();
          }
          applies.add(
              target.cluster()
                  + ": "
                  + object.getKind()
                  + " "
                  + (object.getMetadata().getNamespace() == null
                      ? ""
                      : object.getMetadata().getNamespace() + "/")
                  + object.getMetadata().getName());
          newInventory.add(id(object));
        }
        List<String> oldInventory = inventory(k);
        boolean refused = false;
        if (Json.flag(k, "/spec/prune")) {
          for (String id : oldInventory) {
            if (!newInventory.contains(id) && !delete(target.client(), id, target.client())) {
              refused = true;
            }
          }
        }
        var kustomizations =
            client
                .genericKubernetesResources(KUSTOMIZATIONS, "Kustomization")
                .inNamespace(namespace);
        GenericKubernetesResource fresh = kustomizations.withName(name).get();
        if (fresh == null) {
          return;
        }
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("lastAttemptedRevision", revision);
        if (refused) {
          failures.add(
              namespace + "/" + name + ": prune of revision " + revision + " refused at admission");
          status.put(
              "lastAppliedRevision", Json.text(k, "/status/lastAppliedRevision").orElse(null));
          status.put("inventory", inventoryStatus(oldInventory));
        } else {
          status.put("lastAppliedRevision", revision);
          status.put("inventory", inventoryStatus(new ArrayList<>(newInventory)));
          lastRevision.put(namespace + "/" + name, key);
        }
        fresh.getAdditionalProperties().put("status", status);
        kustomizations.resource(fresh).updateStatus();
      } catch (Exception e) {
        failures.add(namespace + "/" + name + ": " + e.getMessage());
      }
    }
  }

  /**
   * Where a Kustomization applies: its cluster's name and a client for it, acting as the
   * Kustomization acts.
   */
  private record Target(String cluster, KubernetesClient client) {}

  /**
   * The local cluster (as the Kustomization's service account when it names one), or the one whose
   * kubeconfig is in {@code spec.kubeConfig.secretRef} (key {@code secretRef.key}, else {@code
   * value}, else {@code value.yaml}, as Flux reads it).
   */
  private Target target(GenericKubernetesResource k) {
    String secretName = Json.text(k, "/spec/kubeConfig/secretRef/name").orElse(null);
    if (secretName == null) {
      String serviceAccount = Json.text(k, "/spec/serviceAccountName").orElse(null);
      return new Target(
          LOCAL,
          serviceAccount == null
              ? client
              : clientAs.apply(
                  "system:serviceaccount:"
                      + k.getMetadata().getNamespace()
                      + ":"
                      + serviceAccount));
    }
    Secret secret =
        client.secrets().inNamespace(k.getMetadata().getNamespace()).withName(secretName).get();
    if (secret == null || secret.getData() == null) {
      throw new IllegalStateException("kubeconfig Secret " + secretName + " not found");
    }
    String key = Json.text(k, "/spec/kubeConfig/secretRef/key").orElse(null);
    String encoded =
        key != null
            ? secret.getData().get(key)
            : secret.getData().getOrDefault("value", secret.getData().get("value.yaml"));
    if (encoded == null) {
      throw new IllegalStateException("kubeconfig Secret " + secretName + " has no kubeconfig");
    }
    String kubeconfig = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
    String cluster =
        secretName.endsWith("-kubeconfig")
            ? secretName.substring(0, secretName.length() - 11)
            : secretName;
    return new Target(
        cluster,
        remotes.computeIfAbsent(
            kubeconfig,
            config ->
                new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(config)).build()));
  }

  /**
   * Deletes one object of an inventory from the target cluster as {@code deleter} (the identity the
   * Kustomization prunes as, or helm-controller uninstalling a release); a deleted Kustomization or
   * HelmRelease takes its own inventory with it, as its finalizer does.
   *
   * @return false when admission refused it
   */
  private boolean delete(KubernetesClient target, String inventoryId, KubernetesClient deleter) {
    GenericKubernetesResource object = find(target, inventoryId);
    if (object == null) {
      return true;
    }
    try {
      deleter.resource(object).delete();
      deletes.incrementAndGet();
      if ("Kustomization".equals(object.getKind())) {
        finalize(target, target.resource(object).get());
      } else if ("HelmRelease".equals(object.getKind())) {
        KubernetesClient uninstaller =
            remotes.containsValue(target) ? target : clientAs.apply(HELM_USER);
        for (String child : inventory(object)) {
          delete(target, child, uninstaller);
        }
      }
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 403) {
        refusedDeletes.incrementAndGet();
        return false;
      }
      throw e;
    }
  }

  /**
   * Flux's finalizer on a Kustomization it reconciles, so that deleting it deletes its inventory
   * first.
   */
  private void ensureFinalizer(GenericKubernetesResource k) {
    if (!k.getMetadata().getFinalizers().contains(FINALIZER)) {
      client
          .genericKubernetesResources(KUSTOMIZATIONS, "Kustomization")
          .inNamespace(k.getMetadata().getNamespace())
          .withName(k.getMetadata().getName())
          .edit(
              fresh -> {
                fresh.getMetadata().getFinalizers().add(FINALIZER);
                return fresh;
              });
    }
  }

  /**
   * A deleted Kustomization's finalizer, while it is Terminating: with {@code prune: true} its
   * inventory is deleted as the Kustomization acts (its service account or the controller), then
   * the finalizer goes and the object with it. One deleted before it was ever reconciled has no
   * finalizer and is gone already, its inventory left in place, as with Flux.
   */
  private void finalize(KubernetesClient target, GenericKubernetesResource terminating) {
    if (terminating == null || !terminating.getMetadata().getFinalizers().contains(FINALIZER)) {
      return;
    }
    KubernetesClient as = target;
    if (!remotes.containsValue(target)) {
      String serviceAccount = Json.text(terminating, "/spec/serviceAccountName").orElse(null);
      as =
          serviceAccount == null
              ? client
              : clientAs.apply(
                  "system:serviceaccount:"
                      + terminating.getMetadata().getNamespace()
                      + ":"
                      + serviceAccount);
    }
    if (Json.flag(terminating, "/spec/prune") && !Json.flag(terminating, "/spec/suspend")) {
      for (String child : inventory(terminating)) {
        delete(target, child, as);
      }
    }
    target
        .resource(terminating)
        .edit(
            fresh -> {
              fresh.getMetadata().getFinalizers().remove(FINALIZER);
              return fresh;
            });
  }

  private static GenericKubernetesResource find(KubernetesClient target, String inventoryId) {
    String[] parts = inventoryId.split("_");
    String namespace = parts[0];
    String kind = parts[parts.length - 1];
    String group = parts[parts.length - 2];
    String name = String.join("_", Arrays.copyOfRange(parts, 1, parts.length - 2));
    String apiVersion =
        switch (group) {
          case "" -> "v1";
          case "apps" -> "apps/v1";
          case "kustomize.toolkit.fluxcd.io" -> KUSTOMIZATIONS;
          case "helm.toolkit.fluxcd.io" -> "helm.toolkit.fluxcd.io/v2";
          default -> group + "/v1";
        };
    var resources = target.genericKubernetesResources(apiVersion, kind);
    return namespace.isEmpty()
        ? resources.withName(name).get()
        : resources.inNamespace(namespace).withName(name).get();
  }

  private List<GenericKubernetesResource> build(GenericKubernetesResource source, String path)
      throws Exception {
    String url = Json.text(source, "/status/artifact/url").orElse(null);
    byte[] tarGz =
        http.send(
                HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofByteArray())
            .body();
    if (!("sha256:" + StandInSourceController.sha256(tarGz))
        .equals(Json.text(source, "/status/artifact/digest").orElse(null))) {
      throw new IllegalStateException("artifact digest mismatch");
    }
    Path dir = Files.createTempDirectory("standin-artifact");
    try {
      Process untar =
          new ProcessBuilder("tar", "-xzf", "-", "-C", dir.toString())
              .redirectErrorStream(true)
              .start();
      untar.getOutputStream().write(tarGz);
      untar.getOutputStream().close();
      untar.getInputStream().readAllBytes();
      untar.waitFor(30, TimeUnit.SECONDS);
      Path root = dir.resolve(path == null ? "." : path).normalize();
      if (!Files.isDirectory(root)) {
        throw new IllegalStateException("path " + path + " not found");
      }
      if (!Files.exists(root.resolve("kustomization.yaml"))) {
        return List.of();
      }
      // kustomize expands YAML aliases without a limit; like kustomize-controller under its memory
      // limit, the build dies (out of memory) rather than take the machine with it
      Process kustomize =
          new ProcessBuilder(
                  "bash",
                  "-c",
                  "ulimit -v " + BUILD_MEMORY_KIB + "; exec kubectl kustomize \"$0\"",
                  root.toString())
              .redirectErrorStream(false)
              .start();
      CompletableFuture<byte[]> output =
          CompletableFuture.supplyAsync(() -> readAll(kustomize.getInputStream()));
      CompletableFuture<byte[]> errorOutput =
          CompletableFuture.supplyAsync(() -> readAll(kustomize.getErrorStream()));
      if (!kustomize.waitFor(60, TimeUnit.SECONDS)) {
        kustomize.destroyForcibly();
        throw new IllegalStateException("kustomize build did not finish in 60 s");
      }
      byte[] yaml = output.join();
      String errors = new String(errorOutput.join(), StandardCharsets.UTF_8);
      if (kustomize.exitValue() != 0) {
        throw new IllegalStateException("kustomize build failed: " + firstLine(errors));
      }
      List<GenericKubernetesResource> objects = new ArrayList<>();
      try (var documents =
          Serialization.yamlMapper()
              .readerFor(GenericKubernetesResource.class)
              .<GenericKubernetesResource>readValues(new ByteArrayInputStream(yaml))) {
        while (documents.hasNext()) {
          GenericKubernetesResource object = documents.next();
          if (object != null && object.getKind() != null) {
            objects.add(object);
          }
        }
      }
      return objects;
    } finally {
      try (var files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static byte[] readAll(InputStream in) {
    try (in) {
      return in.readAllBytes();
    } catch (IOException e) {
      return new byte[0];
    }
  }

  private static String firstLine(String text) {
    String trimmed = text.strip();
    int newline = trimmed.indexOf('\n');
    return newline < 0 ? trimmed : trimmed.substring(0, newline);
  }

  static String id(GenericKubernetesResource object) {
    String apiVersion = object.getApiVersion();
    String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
    String namespace = Objects.requireNonNullElse(object.getMetadata().getNamespace(), "");
    return namespace
        + "_"
        + object.getMetadata().getName().replace(":", "__")
        + "_"
        + group
        + "_"
        + object.getKind();
  }

  static List<String> inventory(GenericKubernetesResource reconciler) {
    List<String> ids = new ArrayList<>();
    Json.at(reconciler, "/status/inventory/entries")
        .forEach(entry -> ids.add(entry.at("/id").asText()));
    return ids;
  }

  static Map<String, Object> inventoryStatus(List<String> ids) {
    return Map.of("entries", ids.stream().map(id -> Map.of("id", id, "v", "v1")).toList());
  }

  private static String requestedAt(GenericKubernetesResource resource) {
    Map<String, String> annotations = resource.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get("reconcile.fluxcd.io/requestedAt");
  }

  @Override
  public void close() {
    informers.forEach(SharedIndexInformer::stop);
    workers.shutdownNow();
    remotes.values().forEach(KubernetesClient::close);
  }
}
