package io.scopeguard.demo;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for Flux's kustomize-controller, faithful where the incident lives: it starts a
 * reconcile the moment a source's new artifact appears (no head start for anyone), reads
 * {@code spec.suspend} only at the start, downloads and verifies the artifact, builds the path
 * with {@code kubectl kustomize}, applies, then prunes old-minus-new, sending every DELETE through
 * the admission webhook as the API server would; any refused delete fails the reconcile and leaves
 * the old inventory in status. Deleting a child Kustomization deletes its inventory (its
 * finalizer); deleting a HelmRelease uninstalls its release.
 */
public final class StandInKustomizeController implements AutoCloseable {

  public static final String USER = "system:serviceaccount:flux-system:kustomize-controller";
  public static final String HELM_USER = "system:serviceaccount:flux-system:helm-controller";
  public static final String KUSTOMIZATIONS = "kustomize.toolkit.fluxcd.io/v1";

  private final KubernetesClient client;
  private final AdmissionCaller admission;
  private final ExecutorService workers = Executors.newFixedThreadPool(4);
  private final HttpClient http = HttpClient.newHttpClient();
  private final Map<String, String> lastRevision = new ConcurrentHashMap<>();
  private final AtomicInteger refusedDeletes = new AtomicInteger();
  private final AtomicInteger deletes = new AtomicInteger();
  private final List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
  private SharedIndexInformer<GenericKubernetesResource> kustomizationCache;

  public StandInKustomizeController(KubernetesClient client, AdmissionCaller admission) {
    this.client = client;
    this.admission = admission;
  }

  public void start() {
    informers.add(client.genericKubernetesResources(StandInSourceController.API_VERSION, "GitRepository").inAnyNamespace()
        .inform(new ResourceEventHandler<>() {
          @Override
          public void onAdd(GenericKubernetesResource repository) {
            onArtifact(repository);
          }

          @Override
          public void onUpdate(GenericKubernetesResource before, GenericKubernetesResource after) {
            onArtifact(after);
          }

          @Override
          public void onDelete(GenericKubernetesResource repository, boolean unknown) {}
        }));
    kustomizationCache = client.genericKubernetesResources(KUSTOMIZATIONS, "Kustomization").inAnyNamespace()
        .inform(new ResourceEventHandler<>() {
          @Override
          public void onAdd(GenericKubernetesResource k) {
            workers.execute(() -> reconcile(k));
          }

          @Override
          public void onUpdate(GenericKubernetesResource before, GenericKubernetesResource after) {
            if (!Objects.equals(before.getMetadata().getGeneration(), after.getMetadata().getGeneration())) {
              workers.execute(() -> reconcile(after));
            }
          }

          @Override
          public void onDelete(GenericKubernetesResource k, boolean unknown) {}
        });
    informers.add(kustomizationCache);
  }

  private void onArtifact(GenericKubernetesResource repository) {
    String revision = text(repository, "/status/artifact/revision");
    if (revision == null) {
      return;
    }
    kustomizationCache.getStore().list().stream()
        .filter(k -> repository.getMetadata().getName().equals(text(k, "/spec/sourceRef/name")))
        .forEach(k -> workers.execute(() -> reconcile(k)));
  }

  /** Deletes that the webhook refused so far. */
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

  /** One reconcile of the Kustomization as it was when the reconcile started: its suspend is read only here. */
  private synchronized void reconcile(GenericKubernetesResource k) {
    String namespace = k.getMetadata().getNamespace();
    String name = k.getMetadata().getName();
    try {
      var kustomizations = client.genericKubernetesResources(KUSTOMIZATIONS, "Kustomization").inNamespace(namespace);
      if (Boolean.TRUE.equals(at(k, "/spec/suspend"))) {
        return;
      }
      String sourceNamespace = Objects.requireNonNullElse(text(k, "/spec/sourceRef/namespace"), namespace);
      GenericKubernetesResource source = client.genericKubernetesResources(StandInSourceController.API_VERSION, "GitRepository")
          .inNamespace(sourceNamespace).withName(text(k, "/spec/sourceRef/name")).get();
      String revision = source == null ? null : text(source, "/status/artifact/revision");
      if (revision == null) {
        return;
      }
      String key = namespace + "/" + name + "@" + revision + "#" + k.getMetadata().getGeneration();
      if (key.equals(lastRevision.get(namespace + "/" + name))) {
        return;
      }
      List<GenericKubernetesResource> built = build(source, text(k, "/spec/path"));
      Set<String> newInventory = new LinkedHashSet<>();
      for (GenericKubernetesResource object : built) {
        object.getMetadata().setLabels(new LinkedHashMap<>(Objects.requireNonNullElse(object.getMetadata().getLabels(), Map.of())));
        object.getMetadata().getLabels().put("kustomize.toolkit.fluxcd.io/name", name);
        object.getMetadata().getLabels().put("kustomize.toolkit.fluxcd.io/namespace", namespace);
        if (client.resource(object).get() == null) {
          client.resource(object).create();
        }
        newInventory.add(id(object));
      }
      List<String> oldInventory = inventory(k);
      boolean refused = false;
      if (Boolean.TRUE.equals(at(k, "/spec/prune"))) {
        for (String id : oldInventory) {
          if (!newInventory.contains(id) && !delete(id, USER)) {
            refused = true;
          }
        }
      }
      GenericKubernetesResource fresh = kustomizations.withName(name).get();
      if (fresh == null) {
        return;
      }
      Map<String, Object> status = new LinkedHashMap<>();
      status.put("lastAttemptedRevision", revision);
      if (refused) {
        failures.add(namespace + "/" + name + ": prune of revision " + revision + " refused at admission");
        status.put("lastAppliedRevision", text(k, "/status/lastAppliedRevision"));
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

  private boolean delete(String inventoryId, String user) throws Exception {
    GenericKubernetesResource object = find(inventoryId);
    if (object == null) {
      return true;
    }
    AdmissionCaller.Answer answer = admission.delete(object, user);
    if (!answer.allowed()) {
      refusedDeletes.incrementAndGet();
      return false;
    }
    if ("Kustomization".equals(object.getKind()) || "HelmRelease".equals(object.getKind())) {
      String uninstaller = "HelmRelease".equals(object.getKind()) ? HELM_USER : USER;
      for (String child : inventory(object)) {
        delete(child, uninstaller);
      }
    }
    client.resource(object).delete();
    deletes.incrementAndGet();
    return true;
  }

  private GenericKubernetesResource find(String inventoryId) {
    String[] parts = inventoryId.split("_");
    String namespace = parts[0];
    String kind = parts[parts.length - 1];
    String group = parts[parts.length - 2];
    String name = String.join("_", java.util.Arrays.copyOfRange(parts, 1, parts.length - 2));
    String apiVersion = switch (group) {
      case "" -> "v1";
      case "apps" -> "apps/v1";
      case "kustomize.toolkit.fluxcd.io" -> KUSTOMIZATIONS;
      case "helm.toolkit.fluxcd.io" -> "helm.toolkit.fluxcd.io/v2";
      default -> group + "/v1";
    };
    var resources = client.genericKubernetesResources(apiVersion, kind);
    return namespace.isEmpty() ? resources.withName(name).get() : resources.inNamespace(namespace).withName(name).get();
  }

  private List<GenericKubernetesResource> build(GenericKubernetesResource source, String path) throws Exception {
    String url = text(source, "/status/artifact/url");
    byte[] tarGz = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray()).body();
    if (!("sha256:" + StandInSourceController.sha256(tarGz)).equals(text(source, "/status/artifact/digest"))) {
      throw new IllegalStateException("artifact digest mismatch");
    }
    Path dir = Files.createTempDirectory("standin-artifact");
    try {
      Process untar = new ProcessBuilder("tar", "-xzf", "-", "-C", dir.toString()).redirectErrorStream(true).start();
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
      Process kustomize = new ProcessBuilder("kubectl", "kustomize", root.toString()).redirectErrorStream(false).start();
      byte[] yaml = kustomize.getInputStream().readAllBytes();
      String errors = new String(kustomize.getErrorStream().readAllBytes());
      if (!kustomize.waitFor(60, TimeUnit.SECONDS) || kustomize.exitValue() != 0) {
        throw new IllegalStateException("kustomize build failed: " + errors);
      }
      List<GenericKubernetesResource> objects = new ArrayList<>();
      try (var documents = Serialization.yamlMapper().readerFor(GenericKubernetesResource.class)
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
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  static String id(GenericKubernetesResource object) {
    String apiVersion = object.getApiVersion();
    String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
    String namespace = Objects.requireNonNullElse(object.getMetadata().getNamespace(), "");
    return namespace + "_" + object.getMetadata().getName().replace(":", "__") + "_" + group + "_" + object.getKind();
  }

  static List<String> inventory(GenericKubernetesResource reconciler) {
    List<String> ids = new ArrayList<>();
    Serialization.jsonMapper().valueToTree(reconciler).at("/status/inventory/entries")
        .forEach(entry -> ids.add(entry.at("/id").asText()));
    return ids;
  }

  static Map<String, Object> inventoryStatus(List<String> ids) {
    return Map.of("entries", ids.stream().map(id -> Map.of("id", id, "v", "v1")).toList());
  }

  private static Object at(GenericKubernetesResource resource, String pointer) {
    var node = Serialization.jsonMapper().valueToTree(resource).at(pointer);
    return node.isMissingNode() || node.isNull() ? null : Serialization.jsonMapper().convertValue(node, Object.class);
  }

  private static String text(GenericKubernetesResource resource, String pointer) {
    Object value = at(resource, pointer);
    return value == null ? null : value.toString();
  }

  @Override
  public void close() {
    informers.forEach(SharedIndexInformer::stop);
    workers.shutdownNow();
  }
}
