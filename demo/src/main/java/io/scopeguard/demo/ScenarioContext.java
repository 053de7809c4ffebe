package io.scopeguard.demo;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What a {@link Scenario} plays against: a client for the person at the keyboard, clients for the
 * other identities that act (Flux's controllers, an onboarding component), somewhere to print, and
 * a record of what it created so that a run on a real cluster can clean up after itself.
 */
public final class ScenarioContext {

  private final KubernetesClient client;
  private final Function<String, KubernetesClient> identities;
  private final PrintWriter out;
  private final Duration timeout;
  private final Deque<HasMetadata> created = new ArrayDeque<>();

  /**
   * @param client the person's client (the cluster admin)
   * @param identities a client acting as the given user, for controllers and tools
   */
  public ScenarioContext(
      KubernetesClient client,
      Function<String, KubernetesClient> identities,
      PrintWriter out,
      Duration timeout) {
    this.client = client;
    this.identities = identities;
    this.out = out;
    this.timeout = timeout;
  }

  /** The person's client. */
  public KubernetesClient client() {
    return client;
  }

  /** A client acting as {@code username}: a Flux controller, an onboarding component. */
  public KubernetesClient clientAs(String username) {
    return identities.apply(username);
  }

  public Duration timeout() {
    return timeout;
  }

  public PrintWriter out() {
    return out;
  }

  /**
   * Creates an object and remembers it for {@link #deleteCreated()}. Never overwrites: an object
   * that already exists was not made by the scenario, so the scenario stops instead.
   */
  public <T extends HasMetadata> T create(T resource) {
    try {
      T made = client.resource(resource).create();
      created.push(made);
      return made;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        throw new IllegalStateException(
            resource.getKind()
                + " "
                + resource.getMetadata().getName()
                + " already exists; the scenario does not overwrite objects it did not create",
            e);
      }
      throw e;
    }
  }

  /** Remembers an object another identity created, for {@link #deleteCreated()}. */
  public <T extends HasMetadata> T remember(T made) {
    created.push(made);
    return made;
  }

  /**
   * Creates an object the API server may refuse (for example by its CRD's validation rules).
   *
   * @return the API server's refusal, or empty when it stored the object
   */
  public Optional<String> createOrRefusal(HasMetadata resource) {
    try {
      create(resource);
      return Optional.empty();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 422 || e.getCode() == 400) {
        return Optional.of(
            e.getStatus() != null && e.getStatus().getMessage() != null
                ? e.getStatus().getMessage()
                : e.getMessage());
      }
      throw e;
    }
  }

  /**
   * Waits until {@code condition} yields a non-null value, or fails after the context's timeout.
   */
  public <T> T await(String what, Supplier<T> condition) {
    Instant deadline = Instant.now().plus(timeout);
    while (true) {
      T value = condition.get();
      if (value != null) {
        return value;
      }
      if (Instant.now().isAfter(deadline)) {
        throw new IllegalStateException(
            "timed out after " + timeout.toSeconds() + "s waiting for " + what);
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
