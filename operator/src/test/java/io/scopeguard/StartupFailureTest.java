package io.scopeguard;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An unreachable API server stops start-up with one line that says where and why. */
class StartupFailureTest {

  @Test
  void unreachableApiServerGivesOneClearLineAndExitCode1(@TempDir Path dir) throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    Path kubeconfig = dir.resolve("kubeconfig");
    Files.writeString(
        kubeconfig,
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: prod
          cluster: {server: "https://127.0.0.1:%d"}
        users:
        - name: admin
          user: {token: not-a-secret}
        contexts:
        - name: prod-admin
          context: {cluster: prod, user: admin}
        current-context: prod-admin
        """
            .formatted(closedPort));
    StringWriter err = new StringWriter();

    int exit =
        ScopeguardMain.run(
            new String[] {
              "--kubeconfig",
              kubeconfig.toString(),
              "--api-timeout",
              "2s",
              "--http-port",
              "0",
              "--no-webhook"
            },
            new PrintWriter(new StringWriter()),
            new PrintWriter(err, true));

    assertThat(exit).isEqualTo(1);
    assertThat(err.toString().lines().toList())
        .singleElement()
        .asString()
        .startsWith(
            "scopeguard: cannot reach the Kubernetes API server at https://127.0.0.1:" + closedPort)
        .contains("context prod-admin")
        .endsWith(": connection refused or host unreachable");
  }

  @Test
  void theWebhookNeedsToKnowHowTheApiServerReachesIt() {
    StringWriter err = new StringWriter();

    int exit =
        ScopeguardMain.run(
            new String[] {"--http-port", "0"},
            new PrintWriter(new StringWriter()),
            new PrintWriter(err, true));

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString())
        .contains("the webhook needs --webhook-service (in-cluster) or --webhook-url");
  }
}
