package io.scopeguard.guard;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.scopeguard.api.DeletionBudget;
import io.scopeguard.deletion.ArtifactFetcher;
import io.scopeguard.deletion.ArtifactLimits;
import io.scopeguard.flux.FluxStatus;
import io.scopeguard.scope.Reason;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Runs the whole judging path once per round on synthetic revisions before scopeguard reports
 * ready: download over HTTP, digest, unpack, YAML, kustomize prediction, diff, cascade and budget.
 * A JVM that has not run that code yet (classes unloaded, nothing compiled) takes hundreds of
 * milliseconds for the first judgement; after the warm-up the first incident after a restart is
 * judged as fast as the hundredth.
 *
 * <p>The revisions are served from loopback by a throwaway server and judged by a throwaway {@link
 * RevisionJudge}, so nothing of them reaches the caches of the real one; no request goes to the API
 * server. Half the rounds keep the whole inventory, half delete most of it, so both verdicts are
 * exercised.
 */
public final class JudgingWarmUp {

  /**
   * What the warm-up judged and took: rounds whose revision was allowed and held for mass deletion
   * (all of them, when the path works), the first round (cold) and the last (warm).
   */
  public record Result(
      int rounds, int allowed, int heldForMassDeletion, double firstMillis, double lastMillis) {}

  private static final String NAMESPACE = "scopeguard-warm-up";
  private static final int OBJECTS = 500;

  private JudgingWarmUp() {}

  /**
   * Judges {@code rounds} synthetic revisions, or fewer when {@code deadline} passes first.
   *
   * @param watched the informer caches the cascade and the cluster inventory are read from
   */
  public static Result run(WatchedResources watched, int rounds, Duration deadline) {
    Map<String, byte[]> served = new ConcurrentHashMap<>();
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serve the warm-up artifacts on loopback", e);
    }
    server.createContext(
        "/",
        exchange -> {
          byte[] body = served.get(exchange.getRequestURI().getPath());
          exchange.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : body.length);
          if (body != null) {
            exchange.getResponseBody().write(body);
          }
          exchange.close();
        });
    server.start();
    String base =
        "http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort();
    ArtifactFetcher fetcher =
        new ArtifactFetcher(Optional.empty(), ArtifactLimits.defaults(), deadline);
    long until = System.nanoTime() + deadline.toNanos();
    List<Double> took = new ArrayList<>();
    int allowed = 0;
    int held = 0;
    try (RevisionJudge judge =
        new RevisionJudge(
            watched, fetcher, deadline, RevisionJudge.NODE_BUDGET, Clock.systemUTC())) {
      for (int round = 0; round < rounds && System.nanoTime() < until; round++) {
        int kept = round % 2 == 0 ? OBJECTS : OBJECTS / 5;
        byte[] artifact = artifact(round, kept);
        String path = "/gitrepository/" + NAMESPACE + "/warm-up/" + round + ".tar.gz";
        served.put(path, artifact);
        FluxStatus.Artifact published =
            new FluxStatus.Artifact(base + path, "main@sha1:" + round, sha256(artifact));
        long start = System.nanoTime();
        RevisionJudge.Judged judged =
            judge.judge(kustomization(round), published, new DeletionBudget(), deadline);
        took.add((System.nanoTime() - start) / 1e6);
        if (judged.verdict().isAllowed()) {
          allowed++;
        } else if (judged.verdict().reason() == Reason.MassDeletion) {
          held++;
        }
        served.remove(path);
      }
    } finally {
      server.stop(0);
    }
    return new Result(
        took.size(),
        allowed,
        held,
        took.isEmpty() ? 0 : took.get(0),
        took.isEmpty() ? 0 : took.get(took.size() - 1));
  }

  private static GenericKubernetesResource kustomization(int round) {
    List<Map<String, String>> entries = new ArrayList<>(OBJECTS);
    for (int i = 0; i < OBJECTS; i++) {
      entries.add(Map.of("id", NAMESPACE + "_warm-up-" + i + "__ConfigMap", "v", "v1"));
    }
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("path", "./apps");
    spec.put("prune", true);
    spec.put("sourceRef", Map.of("kind", "GitRepository", "name", "warm-up"));
    return new GenericKubernetesResourceBuilder()
        .withApiVersion("kustomize.toolkit.fluxcd.io/v1")
        .withKind("Kustomization")
        .withNewMetadata()
        .withNamespace(NAMESPACE)
        .withName("warm-up")
        .withUid("warm-up-" + round)
        .withGeneration(1L)
        .endMetadata()
        .withAdditionalProperties(
            Map.of("spec", spec, "status", Map.of("inventory", Map.of("entries", entries))))
        .build();
  }

  private static byte[] artifact(int round, int kept) {
    StringBuilder objects = new StringBuilder();
    for (int i = 0; i < kept; i++) {
      objects
          .append("---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: warm-up-")
          .append(i)
          .append("\n  namespace: ")
          .append(NAMESPACE)
          .append("\n  labels: &labels {round: \"")
          .append(round)
          .append("\"}\ndata:\n  key: value-")
          .append(i)
          .append('\n');
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(bytes))) {
      add(
          tar,
          "apps/kustomization.yaml",
          "resources:\n- configmaps.yaml\ncommonAnnotations:\n  warm-up: \"true\"\n");
      add(tar, "apps/configmaps.yaml", objects.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static void add(TarArchiveOutputStream tar, String name, String content)
      throws IOException {
    byte[] data = content.getBytes(StandardCharsets.UTF_8);
    TarArchiveEntry entry = new TarArchiveEntry(name);
    entry.setSize(data.length);
    tar.putArchiveEntry(entry);
    tar.write(data);
    tar.closeArchiveEntry();
  }

  private static String sha256(byte[] data) {
    try {
      return "sha256:"
          + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
