package io.scopeguard.e2e.chart;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/**
 * The scopeguard Helm chart ({@code helm/scopeguard}) rendered, installed and linted by a real
 * Helm: helm-java bundles Helm itself as a native library, so no {@code helm} binary is needed.
 *
 * <p>Values are given as a YAML document, like a {@code -f values.yaml} file. Every result is read
 * strictly ({@link Manifests}), so a field a manifest's model does not know fails the caller.
 */
public final class HelmChart {

  /** The chart's directory. */
  public static final Path DIR = Path.of("..", "helm", "scopeguard").toAbsolutePath().normalize();

  public static final String RELEASE = "scopeguard";
  public static final String NAMESPACE = "scopeguard-system";

  private HelmChart() {}

  /** {@code helm template} with the chart's defaults. */
  public static Manifests template() {
    return template("");
  }

  /**
   * {@code helm template scopeguard helm/scopeguard -n scopeguard-system -f values}: rendered
   * without a cluster, so {@code .Capabilities.APIVersions} holds only the built-in APIs.
   */
  public static Manifests template(String values) {
    return Manifests.parse(
        withValues(
            values,
            file ->
                new Helm(DIR)
                    .template()
                    .withName(RELEASE)
                    .withNamespace(NAMESPACE)
                    .withValuesFile(file)
                    .call()));
  }

  /**
   * {@code helm install} onto a stand-in API server that serves the built-in kinds plus {@code
   * apis} (e.g. {@link StandInApiServer#PROMETHEUS_OPERATOR}): what Helm renders for a cluster with
   * exactly those APIs. CRDs are skipped (they are compared with the generated ones directly).
   * Returns the manifest Helm recorded in its release.
   */
  public static Manifests installOnto(List<StandInApiServer.Kind> apis, String values) {
    try (StandInApiServer api = StandInApiServer.serving(apis)) {
      withValues(
          values,
          file ->
              new Helm(DIR)
                  .install()
                  .withName(RELEASE)
                  .withNamespace(NAMESPACE)
                  .withValuesFile(file)
                  .withKubeConfigContents(api.kubeconfig())
                  .skipCrds()
                  .disableOpenApiValidation()
                  .call());
      return Manifests.parse(api.releaseManifest());
    }
  }

  /** Why {@code helm template} refuses these values; fails when it renders them. */
  public static String refusal(String values) {
    try {
      withValues(
          values,
          file ->
              new Helm(DIR)
                  .template()
                  .withName(RELEASE)
                  .withNamespace(NAMESPACE)
                  .withValuesFile(file)
                  .call());
    } catch (IllegalStateException e) {
      return e.getMessage();
    }
    throw new AssertionError("helm template accepted values it should refuse:\n" + values);
  }

  /** {@code helm lint --strict helm/scopeguard}. */
  public static LintResult lint() {
    return new Helm(DIR).lint().strict().call();
  }

  /** The version of the Helm that renders. */
  public static String helmVersion() {
    return Helm.version().call();
  }

  private static <T> T withValues(String values, Function<Path, T> helm) {
    Path file = null;
    try {
      file = Files.createTempFile("scopeguard-values", ".yaml");
      Files.writeString(file, values, StandardCharsets.UTF_8);
      return helm.apply(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      if (file != null) {
        try {
          Files.deleteIfExists(file);
        } catch (IOException ignored) {
          // a leftover temporary file does no harm
        }
      }
    }
  }
}
