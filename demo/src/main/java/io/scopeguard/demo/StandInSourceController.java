package io.scopeguard.demo;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.scopeguard.kinds.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in for Flux's source-controller and the Git server it fetches from, faithful where the
 * revision gate lives. {@link #push} puts a revision of a directory at a Git URL; every
 * GitRepository pointing at that URL reconciles at once (what source-controller does on its next
 * interval), as does one created, changed or asked to ({@code reconcile.fluxcd.io/requestedAt}). A
 * reconcile packs the directory as a {@code .tar.gz} artifact, serves it over plain HTTP on
 * loopback, and then publishes it as source-controller does: a status write of progress conditions,
 * then one of the final conditions ("stored artifact for revision …"), then one of {@code
 * status.artifact} (url, revision, sha256 digest), each passing admission. A refused write fails
 * the reconcile, which is retried with source-controller's backoff (750 ms doubling, up to {@code
 * maxRetryDelay}); a reconcile request skips the wait. A suspended GitRepository is never
 * reconciled, read at the moment of the event, as Flux reads it.
 */
public final class StandInSourceController implements AutoCloseable {

  public static final String API_VERSION = "source.toolkit.fluxcd.io/v1";

  /** source-controller's {@code --min-retry-delay}. */
  public static final Duration MIN_RETRY_DELAY = Duration.ofMillis(750);

  private static final String REQUESTED_AT = "reconcile.fluxcd.io/requestedAt";

  private record Content(Path dir, String revision) {}

  private final KubernetesClient client;
  private final Duration maxRetryDelay;
  private final HttpServer server;
  private final Map<String, byte[]> artifacts = new ConcurrentHashMap<>();
  private final Map<String, Content> remote = new ConcurrentHashMap<>();
  private final List<String> fetched = new CopyOnWriteArrayList<>();
  private final List<String> failures = new CopyOnWriteArrayList<>();
  private final Map<String, Integer> failuresInARow = new ConcurrentHashMap<>();
  private final Map<String, ScheduledFuture<?>> retries = new ConcurrentHashMap<>();
  private final ScheduledExecutorService workers = Executors.newSingleThreadScheduledExecutor();
  private SharedIndexInformer<GenericKubernetesResource> repositories;

  /**
   * @param client acting as source-controller
   */
  public StandInSourceController(KubernetesClient client) throws IOException {
    this(client, Duration.ofMinutes(15));
  }

  /**
   * @param client acting as source-controller
   * @param maxRetryDelay source-controller's {@code --max-retry-delay}
   */
  public StandInSourceController(KubernetesClient client, Duration maxRetryDelay)
      throws IOException {
    this.client = client;
    this.maxRetryDelay = maxRetryDelay;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          try (exchange) {
            byte[] body = artifacts.get(exchange.getRequestURI().getPath());
            if (body == null) {
              exchange.sendResponseHeaders(404, -1);
              return;
            }
            exchange.getResponseHeaders().set("Content-Type", "application/gzip");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(body);
            }
          }
        });
    server.start();
  }

  /**
   * Watches GitRepositories and reconciles each at once when it is created, changed or asked to
   * reconcile.
   */
  public StandInSourceController start() {
    repositories =
        client
            .genericKubernetesResources(API_VERSION, "GitRepository")
            .inAnyNamespace()
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(GenericKubernetesResource repository) {
                    reconcileNow(repository);
                  }

                  @Override
                  public void onUpdate(
                      GenericKubernetesResource before, GenericKubernetesResource after) {
                    if (!Objects.equals(
                            before.getMetadata().getGeneration(),
                            after.getMetadata().getGeneration())
                        || !Objects.equals(requestedAt(before), requestedAt(after))) {
                      reconcileNow(after);
                    }
                  }

                  @Override
                  public void onDelete(GenericKubernetesResource repository, boolean unknown) {}
                });
    return this;
  }

  /** The base URL artifacts are served from. */
  public String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /**
   * A new revision of {@code dir} at the Git URL {@code url}; GitRepositories pointing there
   * reconcile now.
   */
  public void push(String url, Path dir, String revision) {
    remote.put(url, new Content(dir, revision));
    if (repositories != null) {
      repositories.getStore().list().stream()
          .filter(r -> url.equals(Json.text(r, "/spec/url").orElse(null)))
          .forEach(this::reconcileNow);
    }
  }

  /** The URLs fetched so far, in order (a location never fetched is one nothing was built from). */
  public List<String> fetched() {
    return List.copyOf(fetched);
  }

  /** Reconciles that failed (a fetch, or a status write admission refused), with why. */
  public List<String> failures() {
    return List.copyOf(failures);
  }

  private void reconcileNow(GenericKubernetesResource repository) {
    String key = key(repository);
    ScheduledFuture<?> waiting = retries.remove(key);
    if (waiting != null) {
      waiting.cancel(false);
    }
    workers.execute(
        () ->
            reconcile(repository.getMetadata().getNamespace(), repository.getMetadata().getName()));
  }

  private void reconcile(String namespace, String name) {
    GenericKubernetesResource repository =
        repositories == null ? null : repositories.getStore().getByKey(namespace + "/" + name);
    if (repository == null) {
      repository =
          client
              .genericKubernetesResources(API_VERSION, "GitRepository")
              .inNamespace(namespace)
              .withName(name)
              .get();
    }
    String url = repository == null ? null : Json.text(repository, "/spec/url").orElse(null);
    Content content = url == null ? null : remote.get(url);
    if (content == null || Json.flag(repository, "/spec/suspend")) {
      return;
    }
    String key = namespace + "/" + name;
    try {
      if (!content
          .revision()
          .equals(Json.text(repository, "/status/artifact/revision").orElse(null))) {
        byte[] tarGz = pack(content.dir());
        fetched.add(url);
        Attempt attempt = publish(namespace, name, tarGz, content.revision());
        if (attempt.refused() != null) {
          throw attempt.refused();
        }
      }
      failuresInARow.remove(key);
    } catch (IOException | RuntimeException e) {
      failures.add(key + ": " + e.getMessage());
      int failed = failuresInARow.merge(key, 1, Integer::sum);
      long delay =
          Math.min(
              maxRetryDelay.toMillis(), MIN_RETRY_DELAY.toMillis() << Math.min(20, failed - 1));
      retries.put(
          key,
          workers.schedule(
              () -> {
                retries.remove(key);
                reconcile(namespace, name);
              },
              delay,
              TimeUnit.MILLISECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Packs {@code dir} and publishes it as the GitRepository's artifact at {@code revision} now, as
   * one reconcile does; returns the digest.
   *
   * @throws KubernetesClientException when admission refuses one of the status writes
   */
  public String publish(String namespace, String name, Path dir, String revision)
      throws IOException, InterruptedException {
    Attempt attempt = publish(namespace, name, pack(dir), revision);
    if (attempt.refused() != null) {
      throw attempt.refused();
    }
    return attempt.digest();
  }

  /**
   * One reconcile's status writes, for a benchmark: the digest, when the write of {@code
   * status.artifact} started and ended ({@link System#nanoTime()}), and the refusal of one of the
   * writes, if any.
   */
  public record Attempt(
      String digest,
      long artifactWriteStarted,
      long artifactWriteEnded,
      KubernetesClientException refused) {}

  /**
   * As {@link #publish(String, String, Path, String)}, measured; a refusal is returned, not thrown.
   */
  public Attempt attempt(String namespace, String name, Path dir, String revision)
      throws IOException, InterruptedException {
    return publish(namespace, name, pack(dir), revision);
  }

  /**
   * The status writes of one reconcile that stored a new artifact, in source-controller's order:
   * progress conditions, final conditions, then {@code status.artifact}; the artifact is served
   * before any of them (it is in storage before status says so). As source-controller's patch
   * helper, the last two are both sent even when the first of them is refused. Returns the digest.
   */
  private Attempt publish(String namespace, String name, byte[] tarGz, String revision) {
    String digest = "sha256:" + sha256(tarGz);
    String path =
        "/gitrepository/" + namespace + "/" + name + "/" + digest.substring(7, 19) + ".tar.gz";
    artifacts.put(path, tarGz);
    var repository =
        client
            .genericKubernetesResources(API_VERSION, "GitRepository")
            .inNamespace(namespace)
            .withName(name);
    String now = Instant.now().toString();
    patchStatus(
        repository,
        Map.of(
            "conditions",
            List.of(
                condition(
                    "Reconciling",
                    "True",
                    "ProgressingWithRetry",
                    "building artifact: new upstream revision '" + revision + "'",
                    now),
                condition(
                    "ArtifactOutdated",
                    "True",
                    "NewRevision",
                    "new upstream revision '" + revision + "'",
                    now),
                condition(
                    "Ready",
                    "Unknown",
                    "Progressing",
                    "building artifact: new upstream revision '" + revision + "'",
                    now))));
    KubernetesClientException refused = null;
    try {
      patchStatus(
          repository,
          Map.of(
              "conditions",
              List.of(
                  condition(
                      "Ready",
                      "True",
                      "Succeeded",
                      "stored artifact for revision '" + revision + "'",
                      now),
                  condition(
                      "ArtifactInStorage",
                      "True",
                      "Succeeded",
                      "stored artifact for revision '" + revision + "'",
                      now))));
    } catch (KubernetesClientException e) {
      refused = e;
    }
    Map<String, Object> artifact = new LinkedHashMap<>();
    artifact.put("url", baseUrl() + path);
    artifact.put("path", path);
    artifact.put("revision", revision);
    artifact.put("digest", digest);
    artifact.put("size", tarGz.length);
    artifact.put("lastUpdateTime", now);
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("artifact", artifact);
    GenericKubernetesResource stored = repository.get();
    if (stored != null) {
      status.put("observedGeneration", stored.getMetadata().getGeneration());
      String requested = requestedAt(stored);
      if (requested != null) {
        status.put("lastHandledReconcileAt", requested);
      }
    }
    long started = System.nanoTime();
    try {
      patchStatus(repository, status);
    } catch (KubernetesClientException e) {
      refused = e;
    }
    return new Attempt(digest, started, System.nanoTime(), refused);
  }

  private static Map<String, Object> condition(
      String type, String status, String reason, String message, String now) {
    Map<String, Object> condition = new LinkedHashMap<>();
    condition.put("type", type);
    condition.put("status", status);
    condition.put("reason", reason);
    condition.put("message", message);
    condition.put("lastTransitionTime", now);
    return condition;
  }

  private static void patchStatus(
      Resource<GenericKubernetesResource> repository, Map<String, Object> status) {
    repository
        .subresource("status")
        .patch(
            PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(Map.of("status", status)));
  }

  /** The GitRepository as stored now, or null. */
  public GenericKubernetesResource repository(String namespace, String name) {
    return client
        .genericKubernetesResources(API_VERSION, "GitRepository")
        .inNamespace(namespace)
        .withName(name)
        .get();
  }

  static byte[] pack(Path dir) throws IOException, InterruptedException {
    Path out = Files.createTempFile("artifact", ".tar.gz");
    try {
      Process tar =
          new ProcessBuilder("tar", "-czf", out.toString(), "-C", dir.toString(), ".")
              .redirectErrorStream(true)
              .start();
      String output = new String(tar.getInputStream().readAllBytes());
      if (!tar.waitFor(30, TimeUnit.SECONDS) || tar.exitValue() != 0) {
        throw new IOException("tar failed: " + output);
      }
      return Files.readAllBytes(out);
    } finally {
      Files.deleteIfExists(out);
    }
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String key(GenericKubernetesResource resource) {
    return resource.getMetadata().getNamespace() + "/" + resource.getMetadata().getName();
  }

  private static String requestedAt(GenericKubernetesResource resource) {
    Map<String, String> annotations = resource.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(REQUESTED_AT);
  }

  @Override
  public void close() {
    if (repositories != null) {
      repositories.stop();
    }
    workers.shutdownNow();
    server.stop(0);
  }
}
