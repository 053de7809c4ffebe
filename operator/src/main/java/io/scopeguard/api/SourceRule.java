package io.scopeguard.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** One allowed source URL; {@code *} matches within a path segment, {@code **} across segments. */
public class SourceRule {

  @Required
  @Size(min = 1, max = 2048)
  @JsonPropertyDescription(
      "Source URL or glob, e.g. ssh://git@github.com/acme/prod-fleet or oci://ghcr.io/acme/manifests/*.")
  private String url;

  public SourceRule() {}

  public SourceRule(String url) {
    this.url = url;
  }

  public String getUrl() {
    return url;
  }

  public void setUrl(String url) {
    this.url = url;
  }
}
