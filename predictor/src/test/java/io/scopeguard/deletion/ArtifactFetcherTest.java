package io.scopeguard.deletion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.scopeguard.deletion.ArtifactException.Reason;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Fetching from a source-controller stand-in on loopback: what is verified, refused and reported.
 */
class ArtifactFetcherTest {

  private static final byte[] ARTIFACT =
      TarBuilder.tar().file("apps/cm.yaml", "kind: ConfigMap\n").gzip();
  private static final String PATH = "/gitrepository/flux-system/flux-system/4f2d7c.tar.gz";

  private final Map<String, HttpHandler> routes = new ConcurrentHashMap<>();
  private final List<URI> requests = new CopyOnWriteArrayList<>();
  private final CountDownLatch release = new CountDownLatch(1);
  private ExecutorService executor;
  private HttpServer server;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    executor = Executors.newCachedThreadPool();
    server.setExecutor(executor);
    server.createContext(
        "/",
        exchange -> {
          requests.add(exchange.getRequestURI());
          try (exchange) {
            routes
                .getOrDefault(exchange.getRequestURI().getPath(), ArtifactFetcherTest::notFound)
                .handle(exchange);
          }
        });
    server.start();
  }

  @AfterEach
  void stop() {
    release.countDown();
    server.stop(0);
    executor.shutdownNow();
  }

  private String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  private void serve(String path, byte[] body) {
    routes.put(
        path,
        exchange -> {
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
        });
  }

  private static void notFound(HttpExchange exchange) throws IOException {
    exchange.sendResponseHeaders(404, -1);
  }

  private static ArtifactFetcher fetcher() {
    return new ArtifactFetcher(Optional.empty(), ArtifactLimits.defaults(), Duration.ofSeconds(10));
  }

  private static String digest(String algorithm, byte[] bytes) throws Exception {
    String javaName = "SHA-" + algorithm.substring(3);
    return algorithm
        + ":"
        + HexFormat.of().formatHex(MessageDigest.getInstance(javaName).digest(bytes));
  }

  private static ArtifactException refusal(ArtifactFetcher fetcher, String url, String digest) {
    ArtifactException refusal =
        catchThrowableOfType(ArtifactException.class, () -> fetcher.fetch(url, digest));
    assertThat(refusal).as("refused").isNotNull();
    return refusal;
  }

  @Test
  void fetchesVerifiesAndUnpacks() throws Exception {
    serve(PATH, ARTIFACT);

    ArtifactTree tree = fetcher().fetch(url(PATH), digest("sha256", ARTIFACT));

    assertThat(tree.files()).containsExactly("apps/cm.yaml");
    assertThat(tree.readUtf8("apps/cm.yaml")).hasValue("kind: ConfigMap\n");
  }

  @ParameterizedTest
  @ValueSource(strings = {"sha384", "sha512", "SHA256"})
  void verifiesTheOtherDigestsFluxCanWriteAndAnyCase(String algorithm) throws Exception {
    serve(PATH, ARTIFACT);
    String digest = digest(algorithm.toLowerCase(Locale.ROOT), ARTIFACT).toUpperCase(Locale.ROOT);

    assertThat(fetcher().fetch(url(PATH), digest).files()).containsExactly("apps/cm.yaml");
  }

  @Test
  void aWrongDigestNamesBothDigests() throws Exception {
    serve(PATH, ARTIFACT);
    String expected = digest("sha256", "another revision".getBytes(StandardCharsets.UTF_8));

    ArtifactException refusal = refusal(fetcher(), url(PATH), expected);

    assertThat(refusal.reason()).isEqualTo(Reason.DigestMismatch);
    assertThat(refusal.getMessage())
        .isEqualTo(
            "artifact "
                + url(PATH)
                + " has digest "
                + digest("sha256", ARTIFACT)
                + ", but its source reports "
                + expected);
  }

  @Test
  void theDigestIsCheckedBeforeTheArchiveIsOpened() throws Exception {
    byte[] hostile = TarBuilder.tar().file("../../etc/cron.d/x", "* * * * * root sh\n").gzip();
    serve(PATH, hostile);

    assertThat(refusal(fetcher(), url(PATH), digest("sha256", ARTIFACT)).reason())
        .isEqualTo(Reason.DigestMismatch);
    assertThat(refusal(fetcher(), url(PATH), digest("sha256", hostile)).reason())
        .isEqualTo(Reason.PathTraversal);
  }

  @ParameterizedTest(name = "[{index}] ''{0}''")
  @CsvSource(
      delimiter = '|',
      nullValues = "-",
      textBlock =
          """
      -              | source reports no artifact digest, and scopeguard fetches only artifacts it can verify
      ''             | source reports no artifact digest, and scopeguard fetches only artifacts it can verify
      blake3:abcdef  | artifact digest 'blake3:abcdef' is not sha256, sha384 or sha512 (<algorithm>:<hex>), so scopeguard cannot verify it
      md5:d41d8cd9   | artifact digest 'md5:d41d8cd9' is not sha256, sha384 or sha512 (<algorithm>:<hex>), so scopeguard cannot verify it
      sha256         | artifact digest 'sha256' is not sha256, sha384 or sha512 (<algorithm>:<hex>), so scopeguard cannot verify it
      sha256:abc     | artifact digest 'sha256:abc' is not sha256:<64 hex digits>
      """)
  void aDigestThatCannotBeVerifiedIsRefusedBeforeAnyRequest(String digest, String message) {
    serve(PATH, ARTIFACT);

    ArtifactException refusal = refusal(fetcher(), url(PATH), digest);

    assertThat(refusal.reason()).isEqualTo(Reason.UnsupportedDigest);
    assertThat(refusal.getMessage()).isEqualTo(message);
    assertThat(requests).isEmpty();
  }

  @Test
  void aDigestOfTheRightLengthButNotHexIsRefused() {
    ArtifactException refusal = refusal(fetcher(), url(PATH), "sha256:" + "g".repeat(64));

    assertThat(refusal.reason()).isEqualTo(Reason.UnsupportedDigest);
    assertThat(refusal.getMessage())
        .isEqualTo("artifact digest 'sha256:" + "g".repeat(64) + "' is not sha256:<64 hex digits>");
  }

  @ParameterizedTest
  @ValueSource(ints = {404, 500, 302})
  void anAnswerOtherThan2xxIsReportedWithItsStatus(int status) throws Exception {
    if (status != 404) {
      routes.put(
          PATH,
          exchange -> {
            exchange.getResponseHeaders().add("Location", "http://evil.example/x.tar.gz");
            exchange.sendResponseHeaders(status, -1);
          });
    }

    ArtifactException refusal = refusal(fetcher(), url(PATH), digest("sha256", ARTIFACT));

    assertThat(refusal.reason()).isEqualTo(Reason.HttpStatus);
    assertThat(refusal.getMessage())
        .isEqualTo("source-controller answered HTTP " + status + " for " + url(PATH));
  }

  @Test
  void aPortNobodyListensOnIsUnreachable() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    String url = "http://127.0.0.1:" + port + PATH;

    ArtifactException refusal = refusal(fetcher(), url, digest("sha256", ARTIFACT));

    assertThat(refusal.reason()).isEqualTo(Reason.Unreachable);
    assertThat(refusal.getMessage())
        .startsWith("cannot reach http://127.0.0.1:" + port + " for artifact " + url + ": ");
  }

  @ParameterizedTest(name = "[{index}] stalls {0}")
  @ValueSource(strings = {"before its headers", "in its body"})
  void aServerThatStallsRunsIntoTheTimeout(String where) throws Exception {
    routes.put(
        PATH,
        exchange -> {
          if (where.equals("in its body")) {
            exchange.sendResponseHeaders(200, ARTIFACT.length);
            exchange.getResponseBody().write(ARTIFACT, 0, 10);
            exchange.getResponseBody().flush();
          }
          try {
            release.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    ArtifactFetcher impatient =
        new ArtifactFetcher(Optional.empty(), ArtifactLimits.defaults(), Duration.ofMillis(300));
    long start = System.nanoTime();

    ArtifactException refusal = refusal(impatient, url(PATH), digest("sha256", ARTIFACT));

    assertThat(refusal.reason()).isEqualTo(Reason.Unreachable);
    assertThat(refusal.getMessage())
        .isEqualTo("artifact " + url(PATH) + " did not arrive within 300 ms");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void aBodyDeclaredLargerThanTheLimitIsRefusedWithoutWaitingForIt() throws Exception {
    routes.put(
        PATH,
        exchange -> {
          exchange.sendResponseHeaders(200, 1L << 30);
          exchange.getResponseBody().write(new byte[1024]);
          exchange.getResponseBody().flush();
          try {
            release.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    ArtifactLimits limits = new ArtifactLimits(16 * 1024, 1 << 20, 1 << 20, 100, 10, 100);

    ArtifactException refusal =
        refusal(
            new ArtifactFetcher(Optional.empty(), limits, Duration.ofSeconds(2)),
            url(PATH),
            digest("sha256", ARTIFACT));

    assertThat(refusal.reason()).isEqualTo(Reason.TooLarge);
    assertThat(refusal.getMessage())
        .isEqualTo("artifact is larger than 16 KiB compressed (limit maxCompressedBytes)");
  }

  @Test
  void anEndlessBodyIsCutOffAtTheLimit() throws Exception {
    AtomicBoolean servedEverything = new AtomicBoolean();
    routes.put(
        PATH,
        exchange -> {
          exchange.sendResponseHeaders(200, 0);
          OutputStream body = exchange.getResponseBody();
          byte[] chunk = new byte[64 * 1024];
          for (int i = 0; i < 1024; i++) {
            body.write(chunk);
          }
          servedEverything.set(true);
        });
    ArtifactLimits limits = new ArtifactLimits(1 << 20, 1 << 20, 1 << 20, 100, 10, 100);

    ArtifactException refusal =
        refusal(
            new ArtifactFetcher(Optional.empty(), limits, Duration.ofSeconds(10)),
            url(PATH),
            digest("sha256", ARTIFACT));

    assertThat(refusal.reason()).isEqualTo(Reason.TooLarge);
    assertThat(refusal.getMessage())
        .isEqualTo("artifact is larger than 1 MiB compressed (limit maxCompressedBytes)");
    assertThat(servedEverything).as("the 64 MiB body was not read to its end").isFalse();
  }

  @Test
  void aBaseUrlReplacesSchemeHostAndPortAndKeepsPathAndQuery() throws Exception {
    serve(PATH, ARTIFACT);
    URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    ArtifactFetcher portForwarded =
        new ArtifactFetcher(Optional.of(base), ArtifactLimits.defaults(), Duration.ofSeconds(10));
    String inCluster =
        "http://source-controller.flux-system.svc.cluster.local."
            + PATH
            + "?revision=main%2F4f2d7c";

    ArtifactTree tree = portForwarded.fetch(inCluster, digest("sha256", ARTIFACT));

    assertThat(tree.files()).containsExactly("apps/cm.yaml");
    assertThat(requests)
        .extracting(URI::getRawPath, URI::getRawQuery)
        .containsExactly(tuple(PATH, "revision=main%2F4f2d7c"));
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @CsvSource(
      delimiter = '|',
      nullValues = "-",
      textBlock =
          """
      http://source-controller.flux-system.svc.cluster.local./gitrepository/flux-system/app/1.tar.gz | -                      | http://source-controller.flux-system.svc.cluster.local./gitrepository/flux-system/app/1.tar.gz
      http://source-controller.flux-system.svc.cluster.local./gitrepository/flux-system/app/1.tar.gz | http://127.0.0.1:9090   | http://127.0.0.1:9090/gitrepository/flux-system/app/1.tar.gz
      http://source-controller.flux-system/ocirepository/apps/a%20b/1.tar.gz?x=1&y=%2F               | https://localhost:8443/ | https://localhost:8443/ocirepository/apps/a%20b/1.tar.gz?x=1&y=%2F
      http://source-controller:8080/bucket/ns/name/1.tar.gz                                           | http://[::1]:9090       | http://[::1]:9090/bucket/ns/name/1.tar.gz
      """)
  void resolvesTheArtifactUrl(String artifactUrl, String base, String expected) throws Exception {
    ArtifactFetcher fetcher =
        new ArtifactFetcher(
            Optional.ofNullable(base).map(URI::create),
            ArtifactLimits.defaults(),
            Duration.ofSeconds(1));

    assertThat(fetcher.resolve(artifactUrl)).hasToString(expected);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "http://127.0.0.1:9090/prefix",
        "ftp://127.0.0.1",
        "http://user@127.0.0.1:9090",
        "http://127.0.0.1:9090?x=1",
        "localhost:9090"
      })
  void aBaseUrlIsOnlySchemeHostAndPort(String base) {
    assertThatIllegalArgumentException()
        .isThrownBy(
            () ->
                new ArtifactFetcher(
                    Optional.of(URI.create(base)),
                    ArtifactLimits.defaults(),
                    Duration.ofSeconds(1)))
        .withMessage("the artifact base URL must be http(s)://host[:port], not " + base);
  }

  @ParameterizedTest(name = "[{index}] ''{0}''")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      ''                                   | source reports no artifact URL
      ftp://source-controller/x.tar.gz     | artifact URL 'ftp://source-controller/x.tar.gz' is not an http(s) URL with a host
      /gitrepository/ns/name/x.tar.gz      | artifact URL '/gitrepository/ns/name/x.tar.gz' is not an http(s) URL with a host
      http://source controller/x.tar.gz    | artifact URL 'http://source controller/x.tar.gz' is not a URL: Illegal character in authority
      """)
  void anArtifactUrlThatIsNotOneIsMalformed(String artifactUrl, String message) throws Exception {
    ArtifactException refusal = refusal(fetcher(), artifactUrl, digest("sha256", ARTIFACT));

    assertThat(refusal.reason()).isEqualTo(Reason.Malformed);
    assertThat(refusal.getMessage()).isEqualTo(message);
  }
}
