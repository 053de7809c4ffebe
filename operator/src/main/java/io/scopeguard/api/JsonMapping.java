package io.scopeguard.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/**
 * The one JSON mapping scopeguard reads and writes Kubernetes objects with: fabric8's {@link
 * KubernetesSerialization} (its modules and settings, as the client uses them), in place of the
 * deprecated static {@code Serialization.jsonMapper()}.
 */
public final class JsonMapping {

  /** The mapper, configured by {@link #SERIALIZATION}. */
  public static final ObjectMapper MAPPER = new ObjectMapper();

  /** fabric8's serialization over {@link #MAPPER}. */
  public static final KubernetesSerialization SERIALIZATION =
      new KubernetesSerialization(MAPPER, true);

  private JsonMapping() {}
}
