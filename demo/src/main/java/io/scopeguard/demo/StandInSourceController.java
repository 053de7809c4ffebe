package io.scopeguard.demo;

import io.scopeguard.guard.Json;
import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in for Flux's source-controller and the Git server it fetches from. {@link #push} puts a
 * revision of a directory at a Git URL; every GitRepository pointing at that URL is fetched at once
 * (what source-controller does on its next interval), as is a GitRepository created or re-pointed
 * at a URL that has content. Fetching packs the directory as a {@code .tar.gz} artifact, serves it
 * over plain HTTP on loopback and publishes it in {@code status.artifact} (url, revision, sha256
 * digest) with a status write that passes admission like source-controller's. A suspended
 * GitRepository is never fetched, read at the moment of the event, as Flux reads it.
 */
public final class StandInSourceController implements AutoCloseable {

  public static final String API_VERSION = "source.toolkit.fluxcd.io/v1";

  private record Content(Path dir, String revision) {}

  private final KubernetesClient client;
  private final HttpServer server;
  private final Map<String, byte[]> artifacts = new ConcurrentHashMap<>();
  private final Map<String, Content> remote = new ConcurrentHashMap<>();
  private final List<String> fetched = new CopyOnWriteArrayList<>();
  private final List<String> failures = new CopyOnWriteArrayList<>();
  private final ExecutorService workers = Executors.newSingleThreadExecutor();
  private SharedIndexInformer<GenericKubernetesResource> repositories;

  /** @param client acting as source-controller */
  public StandInSourceController(KubernetesClient client) throws IOException {
    this.client = client;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
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

  /** Watches GitRepositories and fetches each at once when it is created, re-pointed or asked to reconcile. */
  public StandInSourceController start() {
    repositories = client.genericKubernetesResources(API_VERSION, "GitRepository").inAnyNamespace()
        .inform(new ResourceEventHandler<>() {
          @Override
          public void onAdd(GenericKubernetesResource repository) {
            workers.execute(() -> fetch(repository));
          }

          @Override
          public void onUpdate(GenericKubernetesResource before, GenericKubernetesResource after) {
            if (!Objects.equals(before.getMetadata().getGeneration(), after.getMetadata().getGeneration())
                || !Objects.equals(requestedAt(before), requestedAt(after))) {
              workers.execute(() -> fetch(after));
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

  /** A new revision of {@code dir} at the Git URL {@code url}; GitRepositories pointing there fetch it now. */
  public void push(String url, Path dir, String revision) {
    remote.put(url, new Content(dir, revision));
    if (repositories != null) {
      repositories.getStore().list().stream().filter(r -> url.equals(Json.text(r, "/spec/url").orElse(null)))
          .forEach(r -> workers.execute(() -> fetch(r)));
    }
  }

  /** The URLs fetched so far, in order (a location never fetched is one nothing was built from). */
  public List<String> fetched() {
    return List.copyOf(fetched);
  }

  /** Fetches that failed, with why. */
  public List<String> failures() {
    return List.copyOf(failures);
  }

  private void fetch(GenericKubernetesResource repository) {
    String url = Json.text(repository, "/spec/url").orElse(null);
    Content content = url == null ? null : remote.get(url);
    if (content == null || Json.flag(repository, "/spec/suspend")) {
      return;
    }
    String namespace = repository.getMetadata().getNamespace();
    String name = repository.getMetadata().getName();
    try {
      byte[] tarGz = pack(content.dir());
      fetched.add(url);
      publish(namespace, name, tarGz, content.revision());
    } catch (IOException | RuntimeException e) {
      failures.add(namespace + "/" + name + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Packs {@code dir} and publishes it as the GitRepository's artifact at {@code revision} now; returns the digest. */
  public String publish(String namespace, String name, Path dir, String revision) throws IOException, InterruptedException {
    return publish(namespace, name, pack(dir), revision);
  }

  /** Writes the artifact of a revision into the GitRepository's status; returns the digest. */
  private String publish(String namespace, String name, byte[] tarGz, String revision) {
    String digest = "sha256:" + sha256(tarGz);
    String path = "/gitrepository/" + namespace + "/" + name + "/" + digest.substring(7, 19) + ".tar.gz";
    artifacts.put(path, tarGz);
    var repositories = client.genericKubernetesResources(API_VERSION, "GitRepository").inNamespace(namespace);
    GenericKubernetesResource repository = repositories.withName(name).get();
    Map<String, Object> artifact = new LinkedHashMap<>();
    artifact.put("url", baseUrl() + path);
    artifact.put("path", path);
    artifact.put("revision", revision);
    artifact.put("digest", digest);
    artifact.put("size", tarGz.length);
    artifact.put("lastUpdateTime", Instant.now().toString());
    repository.getAdditionalProperties().put("status", Map.of("artifact", artifact));
    repositories.resource(repository).updateStatus();
    return digest;
  }

  static byte[] pack(Path dir) throws IOException, InterruptedException {
    Path out = Files.createTempFile("artifact", ".tar.gz");
    try {
      Process tar = new ProcessBuilder("tar", "-czf", out.toString(), "-C", dir.toString(), ".")
          .redirectErrorStream(true).start();
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

  private static String requestedAt(GenericKubernetesResource resource) {
    Map<String, String> annotations = resource.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get("reconcile.fluxcd.io/requestedAt");
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
