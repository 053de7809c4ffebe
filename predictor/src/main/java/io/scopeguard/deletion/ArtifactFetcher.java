package io.scopeguard.deletion;

import io.scopeguard.deletion.ArtifactException.Reason;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Downloads a source artifact from Flux's source-controller, verifies it against the digest the
 * source reports, and only then unpacks it with {@link SafeUntar}.
 *
 * <p>The transport is plain HTTP, so the digest is the artifact's only integrity check: an artifact
 * whose source reports no digest, or one in an algorithm other than sha256, sha384 or sha512, is
 * not fetched. The download is held in memory and cut off as soon as it exceeds {@link
 * ArtifactLimits#maxCompressedBytes()}; the whole exchange, connection to last byte, must finish
 * within the timeout. Redirects are not followed.
 *
 * <p>With a base URL, the artifact URL's scheme, host and port are replaced by the base URL's and
 * its path and query kept: an operator running outside the cluster reaches source-controller
 * through a port-forward.
 */
public final class ArtifactFetcher {

  private static final Map<String, Algorithm> ALGORITHMS =
      Map.of(
          "sha256", new Algorithm("SHA-256", 64),
          "sha384", new Algorithm("SHA-384", 96),
          "sha512", new Algorithm("SHA-512", 128));

  private final Optional<URI> baseUrl;
  private final ArtifactLimits limits;
  private final Duration timeout;
  private final HttpClient client;

  /**
   * @param baseUrl {@code http(s)://host[:port]} that replaces the artifact URLs' own, if present
   * @param limits bounds of the download and of the unpacked tree
   * @param timeout for one whole fetch
   * @throws IllegalArgumentException when the base URL has a path, query, fragment or user info, or
   *     is not http(s)
   */
  public ArtifactFetcher(Optional<URI> baseUrl, ArtifactLimits limits, Duration timeout) {
    baseUrl.ifPresent(ArtifactFetcher::checkBaseUrl);
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException(
          "the artifact fetch timeout must be positive, not " + timeout);
    }
    this.baseUrl = baseUrl;
    this.limits = limits;
    this.timeout = timeout;
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(timeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  /**
   * The artifact at {@code artifactUrl} ({@code status.artifact.url}), verified against {@code
   * digest} ({@code status.artifact.digest}, {@code sha256:<hex>}) and unpacked.
   *
   * @throws ArtifactException {@code UnsupportedDigest} or {@code Malformed} (a bad URL) before any
   *     request; {@code Unreachable}, {@code HttpStatus} or {@code TooLarge} while downloading;
   *     {@code DigestMismatch}; any of {@link SafeUntar}'s reasons while unpacking
   */
  public ArtifactTree fetch(String artifactUrl, String digest) throws ArtifactException {
    Digest expected = Digest.parse(digest);
    URI uri = resolve(artifactUrl);
    byte[] body = download(uri);
    String actual = expected.of(body);
    if (!actual.equals(expected.text())) {
      throw new ArtifactException(
          Reason.DigestMismatch,
          "artifact "
              + uri
              + " has digest "
              + actual
              + ", but its source reports "
              + expected.text());
    }
    return SafeUntar.unpack(new ByteArrayInputStream(body), limits);
  }

  /** The URL fetched for an artifact URL: the base URL applied, if one is set. */
  public URI resolve(String artifactUrl) throws ArtifactException {
    if (artifactUrl == null || artifactUrl.isBlank()) {
      throw new ArtifactException(Reason.Malformed, "source reports no artifact URL");
    }
    URI uri;
    try {
      uri = new URI(artifactUrl.trim());
    } catch (URISyntaxException e) {
      throw new ArtifactException(
          Reason.Malformed, "artifact URL '" + artifactUrl + "' is not a URL: " + e.getReason(), e);
    }
    if (!isHttp(uri) || uri.getHost() == null) {
      throw new ArtifactException(
          Reason.Malformed, "artifact URL '" + artifactUrl + "' is not an http(s) URL with a host");
    }
    if (baseUrl.isEmpty()) {
      return uri;
    }
    URI base = baseUrl.get();
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    return URI.create(
        base.getScheme()
            + "://"
            + base.getRawAuthority()
            + path
            + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()));
  }

  private byte[] download(URI uri) throws ArtifactException {
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
    AtomicReference<BoundedBody> receiving = new AtomicReference<>();
    CompletableFuture<HttpResponse<byte[]>> exchange =
        client.sendAsync(
            request,
            info -> {
              BoundedBody body =
                  new BoundedBody(
                      info.statusCode() / 100 == 2,
                      limits.maxCompressedBytes(),
                      info.headers().firstValueAsLong("Content-Length").orElse(-1));
              receiving.set(body);
              return body;
            });
    HttpResponse<byte[]> response;
    try {
      response = exchange.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      abort(exchange, receiving.get());
      throw new ArtifactException(
          Reason.Unreachable, "artifact " + uri + " did not arrive within " + within(), e);
    } catch (InterruptedException e) {
      abort(exchange, receiving.get());
      Thread.currentThread().interrupt();
      throw new ArtifactException(
          Reason.Unreachable, "interrupted while fetching artifact " + uri, e);
    } catch (ExecutionException e) {
      throw failure(uri, e.getCause());
    }
    if (response.statusCode() / 100 != 2) {
      throw new ArtifactException(
          Reason.HttpStatus,
          "source-controller answered HTTP " + response.statusCode() + " for " + uri);
    }
    return response.body();
  }

  /** Cancelling the future alone may leave a stalled body's connection open. */
  private static void abort(CompletableFuture<?> exchange, BoundedBody body) {
    exchange.cancel(true);
    if (body != null) {
      body.abort();
    }
  }

  private ArtifactException failure(URI uri, Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof TooLarge tooLarge) {
        return tooLarge.exception;
      }
    }
    Throwable root =
        cause instanceof CompletionException && cause.getCause() != null ? cause.getCause() : cause;
    if (root instanceof HttpTimeoutException) {
      return new ArtifactException(
          Reason.Unreachable, "artifact " + uri + " did not arrive within " + within(), root);
    }
    String what =
        root.getClass().getSimpleName()
            + (root.getMessage() == null ? "" : ": " + root.getMessage());
    return new ArtifactException(
        Reason.Unreachable,
        "cannot reach "
            + uri.getScheme()
            + "://"
            + uri.getRawAuthority()
            + " for artifact "
            + uri
            + ": "
            + what,
        root);
  }

  private String within() {
    long millis = timeout.toMillis();
    return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
  }

  private static boolean isHttp(URI uri) {
    return "http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme());
  }

  private static void checkBaseUrl(URI base) {
    boolean plain =
        isHttp(base)
            && base.getHost() != null
            && base.getRawUserInfo() == null
            && (base.getRawPath() == null
                || base.getRawPath().isEmpty()
                || base.getRawPath().equals("/"))
            && base.getRawQuery() == null
            && base.getRawFragment() == null;
    if (!plain) {
      throw new IllegalArgumentException(
          "the artifact base URL must be http(s)://host[:port], not " + base);
    }
  }

  private record Algorithm(String javaName, int hexLength) {}

  /** {@code <algorithm>:<hex>}, lower-cased. */
  private record Digest(String algorithm, String hex, Algorithm spec) {

    static Digest parse(String digest) throws ArtifactException {
      if (digest == null || digest.isBlank()) {
        throw new ArtifactException(
            Reason.UnsupportedDigest,
            "source reports no artifact digest, and scopeguard fetches only artifacts it can verify");
      }
      String text = digest.trim().toLowerCase(Locale.ROOT);
      int colon = text.indexOf(':');
      String algorithm = colon < 0 ? text : text.substring(0, colon);
      Algorithm spec = ALGORITHMS.get(algorithm);
      if (colon < 0 || spec == null) {
        throw new ArtifactException(
            Reason.UnsupportedDigest,
            "artifact digest '"
                + digest
                + "' is not sha256, sha384 or sha512 (<algorithm>:<hex>), so scopeguard cannot verify it");
      }
      String hex = text.substring(colon + 1);
      if (hex.length() != spec.hexLength()
          || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
        throw new ArtifactException(
            Reason.UnsupportedDigest,
            "artifact digest '"
                + digest
                + "' is not "
                + algorithm
                + ":<"
                + spec.hexLength()
                + " hex digits>");
      }
      return new Digest(algorithm, hex, spec);
    }

    String text() {
      return algorithm + ":" + hex;
    }

    String of(byte[] bytes) {
      try {
        return algorithm
            + ":"
            + HexFormat.of().formatHex(MessageDigest.getInstance(spec.javaName()).digest(bytes));
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("every Java runtime has " + spec.javaName(), e);
      }
    }
  }

  /** Carries the refusal out of the HTTP client, which completes the exchange with it. */
  private static final class TooLarge extends RuntimeException {
    final ArtifactException exception;

    TooLarge(ArtifactException exception) {
      super(exception.getMessage(), null, false, false);
      this.exception = exception;
    }
  }

  /** Collects a 2xx body up to the limit and cancels past it; discards any other body unread. */
  private static final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {

    private final CompletableFuture<byte[]> body = new CompletableFuture<>();
    private final boolean keep;
    private final long max;
    private final long declared;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private volatile Flow.Subscription subscription;

    BoundedBody(boolean keep, long max, long declared) {
      this.keep = keep;
      this.max = max;
      this.declared = declared;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      this.subscription = subscription;
      if (!keep) {
        subscription.cancel();
        body.complete(null);
      } else if (declared > max) {
        tooLarge();
      } else {
        subscription.request(1);
      }
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
      if (body.isDone()) {
        return;
      }
      for (ByteBuffer buffer : buffers) {
        if (bytes.size() + (long) buffer.remaining() > max) {
          tooLarge();
          return;
        }
        byte[] chunk = new byte[buffer.remaining()];
        buffer.get(chunk);
        bytes.writeBytes(chunk);
      }
      subscription.request(1);
    }

    @Override
    public void onError(Throwable throwable) {
      body.completeExceptionally(throwable);
    }

    @Override
    public void onComplete() {
      body.complete(bytes.toByteArray());
    }

    @Override
    public CompletionStage<byte[]> getBody() {
      return body;
    }

    void abort() {
      Flow.Subscription current = subscription;
      if (current != null) {
        current.cancel();
      }
      body.cancel(false);
    }

    private void tooLarge() {
      subscription.cancel();
      body.completeExceptionally(
          new TooLarge(
              new ArtifactException(
                  Reason.TooLarge,
                  "artifact is larger than "
                      + ArtifactLimits.bytes(max)
                      + " compressed (limit maxCompressedBytes)")));
    }
  }
}
