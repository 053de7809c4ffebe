package io.scopeguard.demo;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
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
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in for Flux's source-controller: packs a directory as a {@code .tar.gz} artifact, serves
 * it over plain HTTP on loopback, and publishes it in the GitRepository's {@code status.artifact}
 * (url, revision, sha256 digest), the way source-controller does after a fetch.
 */
public final class StandInSourceController implements AutoCloseable {

  public static final String API_VERSION = "source.toolkit.fluxcd.io/v1";

  private final HttpServer server;
  private final Map<String, byte[]> artifacts = new ConcurrentHashMap<>();

  public StandInSourceController() throws IOException {
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

  /** The base URL artifacts are served from. */
  public String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Packs {@code dir} and publishes it as the GitRepository's artifact at {@code revision}; returns the digest. */
  public String publish(KubernetesClient client, String namespace, String name, Path dir, String revision)
      throws IOException, InterruptedException {
    byte[] tarGz = pack(dir);
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

  @Override
  public void close() {
    server.stop(0);
  }
}
