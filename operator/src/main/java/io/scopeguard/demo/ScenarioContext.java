package io.scopeguard.demo;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Supplier;

/**
 * What a {@link Scenario} plays against: a client, somewhere to print, and a record of what it
 * created so that a run on a real cluster can clean up after itself.
 */
public final class ScenarioContext {

  private final KubernetesClient client;
  private final PrintWriter out;
  private final Duration timeout;
  private final Deque<HasMetadata> created = new ArrayDeque<>();

  public ScenarioContext(KubernetesClient client, PrintWriter out, Duration timeout) {
    this.client = client;
    this.out = out;
    this.timeout = timeout;
  }

  public KubernetesClient client() {
    return client;
  }

  public PrintWriter out() {
    return out;
  }

  /** Creates (or replaces) an object and remembers it for {@link #deleteCreated()}. */
  public <T extends HasMetadata> T apply(T resource) {
    T applied = client.resource(resource).createOr(existing -> existing.update());
    created.push(applied);
    return applied;
  }

  /** Waits until {@code condition} yields a non-null value, or fails after the context's timeout. */
  public <T> T await(String what, Supplier<T> condition) {
    Instant deadline = Instant.now().plus(timeout);
    while (true) {
      T value = condition.get();
      if (value != null) {
        return value;
      }
      if (Instant.now().isAfter(deadline)) {
        throw new IllegalStateException("timed out after " + timeout.toSeconds() + "s waiting for " + what);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting for " + what, e);
      }
    }
  }

  /** Deletes everything the scenario created, newest first. */
  public void deleteCreated() {
    while (!created.isEmpty()) {
      client.resource(created.pop()).delete();
    }
  }
}
