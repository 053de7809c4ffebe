package io.scopeguard.deletion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.scopeguard.api.DeletionBudget;
import io.scopeguard.capi.ClusterApi;
import io.scopeguard.flux.FluxKinds;
import io.scopeguard.flux.FluxStatus;
import io.scopeguard.guard.JudgingWarmUp;
import io.scopeguard.guard.RevisionJudge;
import io.scopeguard.guard.WatchedResources;
import io.scopeguard.kinds.GuardedKind;
import io.scopeguard.scope.Reason;
import io.scopeguard.testkit.EmbeddedKubernetes;
import io.scopeguard.testkit.FluxObjects;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Judging revisions over the shared caches: one judgement per revision however many ask, one
 * download of an artifact however many Kustomizations consume it, and an artifact that cannot be
 * read within bounds (a YAML alias bomb, a judgement over its time) unreadable rather than
 * unpredictable, within the budget and without holding up what comes after.
 */
class RevisionJudgeOnEmbeddedApiTest {

  private static final String NS = "judged";
  private static EmbeddedKubernetes api;
  private static WatchedResources watched;
  private static HttpServer artifacts;
  private static final AtomicInteger DOWNLOADS = new AtomicInteger();
  private static final Map<String, byte[]> SERVED = new ConcurrentHashMap<>();

  @BeforeAll
  static void start() throws Exception {
    api = EmbeddedKubernetes.start();
    artifacts = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    artifacts.createContext(
        "/",
        exchange -> {
          DOWNLOADS.incrementAndGet();
          byte[] body = SERVED.get(exchange.getRequestURI().getPath());
          exchange.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : body.length);
          if (body != null) {
            exchange.getResponseBody().write(body);
          }
          exchange.close();
        });
    artifacts.start();
    api.client()
        .resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
        .create();
    List<GuardedKind> kinds = new ArrayList<>(FluxKinds.ALL);
    kinds.add(ClusterApi.CLUSTER);
    watched = new WatchedResources(api.client(), kinds);
    watched.start(Duration.ofSeconds(30));
  }

  @AfterAll
  static void stop() {
    watched.close();
    artifacts.stop(0);
    api.close();
  }

  private static KubernetesClient client() {
    return api.client();
  }

  /** A GitRepository whose artifact holds {@code files}, served by the test's artifact server. */
  private static void repository(String name, String revision, String... pathsAndTexts)
      throws Exception {
    TarBuilder tar = TarBuilder.gzipped();
    for (int i = 0; i < pathsAndTexts.length; i += 2) {
      tar.file(pathsAndTexts[i], pathsAndTexts[i + 1]);
    }
    byte[] tarGz = tar.gzip();
    String path = "/gitrepository/" + NS + "/" + name + "/" + revision.hashCode() + ".tar.gz";
    SERVED.put(path, tarGz);
    GenericKubernetesResource repository =
        client()
            .resource(FluxObjects.gitRepository(NS, name, "https://example.com/" + name))
            .createOr(existing -> existing.update());
    repository
        .getAdditionalProperties()
        .put(
            "status",
            Map.of(
                "artifact",
                Map.of(
                    "url",
                    "http://127.0.0.1:" + artifacts.getAddress().getPort() + path,
                    "revision",
                    revision,
                    "digest",
                    "sha256:"
                        + HexFormat.of()
                            .formatHex(MessageDigest.getInstance("SHA-256").digest(tarGz)))));
    client().resource(repository).updateStatus();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                watched
                    .get(FluxKinds.GIT_REPOSITORY, NS, name)
                    .flatMap(FluxStatus::artifact)
                    .filter(a -> a.revision().equals(revision))
                    .isPresent());
  }

  /** A Kustomization of {@code repository} whose inventory is {@code objects} ConfigMaps. */
  private static GenericKubernetesResource kustomization(
      String name, String repository, int objects) {
    GenericKubernetesResource k =
        client().resource(FluxObjects.kustomization(NS, name, null, null, repository)).create();
    List<Map<String, Object>> entries = new ArrayList<>();
    for (int i = 0; i < objects; i++) {
      entries.add(Map.of("id", NS + "_cm-" + i + "__ConfigMap", "v", "v1"));
    }
    k.getAdditionalProperties().put("status", Map.of("inventory", Map.of("entries", entries)));
    client().resource(k).updateStatus();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                watched
                        .get(FluxKinds.KUSTOMIZATION, NS, name)
                        .map(FluxStatus::inventory)
                        .map(List::size)
                        .orElse(0)
                    == objects);
    return watched.get(FluxKinds.KUSTOMIZATION, NS, name).orElseThrow();
  }

  private static ArtifactFetcher fetcher() {
    return new ArtifactFetcher(Optional.empty(), ArtifactLimits.defaults(), Duration.ofSeconds(10));
  }

  /**
   * The start-up warm-up runs the whole path, both ways: a broken fetcher, unpacker or predictor
   * would leave its rounds unreadable (held, but not for mass deletion).
   */
  @Test
  void theWarmUpJudgesItsRevisionsAllowedAndHeldThroughTheWholePath() {
    JudgingWarmUp.Result result = JudgingWarmUp.run(watched, 4, Duration.ofSeconds(20));

    assertThat(result.rounds()).isEqualTo(4);
    assertThat(result.allowed()).isEqualTo(2);
    assertThat(result.heldForMassDeletion()).isEqualTo(2);
  }

  @Test
  void aRevisionIsDownloadedOnceForAllItsConsumersAndJudgedOnceForAllWhoAsk() throws Exception {
    repository(
        "shared",
        "main@sha1:1",
        "apps/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm-0}\n");
    List<GenericKubernetesResource> consumers = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      consumers.add(kustomization("consumer-" + i, "shared", 10));
    }
    int before = DOWNLOADS.get();
    try (RevisionJudge judge = new RevisionJudge(watched, fetcher())) {
      List<CompletableFuture<Optional<RevisionJudge.Judged>>> asked = new ArrayList<>();
      for (GenericKubernetesResource consumer : consumers) {
        asked.add(judge.judging(consumer, new DeletionBudget()));
        asked.add(judge.judging(consumer, new DeletionBudget()));
      }

      for (int i = 0; i < consumers.size(); i++) {
        assertThat(asked.get(2 * i).get().orElseThrow())
            .as("one judgement per revision, whoever asks")
            .isSameAs(asked.get(2 * i + 1).get().orElseThrow());
        assertThat(asked.get(2 * i).get().orElseThrow().verdict().reason())
            .isEqualTo(Reason.MassDeletion);
      }
      assertThat(DOWNLOADS.get() - before).as("one download for five consumers").isEqualTo(1);
      assertThat(judge.known(consumers.get(0), new DeletionBudget()))
          .hasValueSatisfying(known -> assertThat(known).isPresent());
    }
  }

  @Test
  void anAliasBombIsUnreadableAtOnceAndTheNextRevisionIsJudgedAsUsual() throws Exception {
    repository("bombed", "main@sha1:2", "apps/lol.yaml", KustomizePredictorTest.BILLION_LAUGHS);
    GenericKubernetesResource k = kustomization("bombed", "bombed", 10);
    try (RevisionJudge judge = new RevisionJudge(watched, fetcher())) {
      RevisionJudge.Judged bomb = judge.judge(k, new DeletionBudget()).orElseThrow();

      assertThat(bomb.unreadable()).isTrue();
      assertThat(bomb.verdict().reason()).isEqualTo(Reason.PredictionUnknown);
      assertThat(bomb.verdict().message())
          .contains(
              "cannot read its artifact: YAML aliases in apps/lol.yaml expand to"
                  + " more than 100,000 nodes");

      repository("bombed", "main@sha1:3", "apps/.keep", "");
      RevisionJudge.Judged empty =
          judge
              .judge(
                  watched.get(FluxKinds.KUSTOMIZATION, NS, "bombed").orElseThrow(),
                  new DeletionBudget())
              .orElseThrow();
      assertThat(empty.revision()).isEqualTo("main@sha1:3");
      assertThat(empty.verdict().reason()).isEqualTo(Reason.MassDeletion);
    }
  }

  @Test
  void aJudgementOverItsTimeIsUnreadableNotAWaitWithoutEnd() throws Exception {
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 2000; i++) {
      many.append("---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm-")
          .append(i)
          .append("}\ndata: {a: b}\n");
    }
    repository("slow", "main@sha1:4", "apps/many.yaml", many.toString());
    GenericKubernetesResource k = kustomization("slow", "slow", 10);
    try (RevisionJudge judge =
        new RevisionJudge(watched, fetcher(), Duration.ZERO, RevisionJudge.NODE_BUDGET)) {
      RevisionJudge.Judged judged = judge.judge(k, new DeletionBudget()).orElseThrow();

      assertThat(judged.unreadable()).isTrue();
      assertThat(judged.verdict().message())
          .contains("judging took longer than 0 s, the judging budget");
    }
  }
}
