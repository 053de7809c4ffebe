package io.scopeguard.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.scopeguard.api.JsonMapping;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A decision logged as JSON carries its fields for a log shipper; the plain form stays one readable
 * line.
 */
class LogFormatTest {

  private static final Logger LOG = LoggerFactory.getLogger("io.scopeguard.guard.Actuator");
  private final PrintStream stderr = System.err;

  @AfterEach
  void restore() {
    System.setErr(stderr);
    LogFormat.plain.use();
  }

  private String logged(LogFormat format) {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    format.use();
    LOG.atInfo()
        .addKeyValue("resource", "Kustomization apps/web")
        .addKeyValue("reason", "MassDeletion")
        .addKeyValue("revision", "main@sha1:2")
        .addKeyValue("deleting", 409)
        .log(
            "{}: suspended ({}): would delete {} objects",
            "Kustomization apps/web",
            "MassDeletion",
            409);
    return captured.toString(StandardCharsets.UTF_8).trim();
  }

  @Test
  void jsonCarriesTheDecisionsFields() throws Exception {
    JsonNode line =
        JsonMapping.MAPPER.readTree(
            logged(LogFormat.json).lines().reduce((a, b) -> b).orElseThrow());

    assertThat(line.path("level").asText()).isEqualTo("INFO");
    assertThat(line.path("formattedMessage").asText())
        .isEqualTo("Kustomization apps/web: suspended (MassDeletion): would delete 409 objects");
    assertThat(line.path("kvpList").toString())
        .contains(
            "\"resource\":\"Kustomization apps/web\"",
            "\"reason\":\"MassDeletion\"",
            "\"revision\":\"main@sha1:2\"",
            "\"deleting\":\"409\"");
  }

  @Test
  void plainIsOneLineWithTimeLevelClassAndMessage() {
    assertThat(logged(LogFormat.plain))
        .matches(
            "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z INFO Actuator - Kustomization apps/web: suspended"
                + " \\(MassDeletion\\): would delete 409 objects");
  }
}
