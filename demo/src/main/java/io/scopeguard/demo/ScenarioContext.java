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
  private AdmissionCaller admission;

  public ScenarioContext(KubernetesClient client, PrintWriter out, Duration timeout) {
    this.client = client;
    this.out = out;
    this.timeout = timeout;
  }

  /** How stand-in Flux controllers reach scopeguard's admission webhook, as the API server would. */
  public ScenarioContext withAdmission(AdmissionCaller admission) {
    this.admission = admission;
    return this;
  }

  public Optional<AdmissionCaller> admission() {
    return Optional.ofNullable(admission);
  }

  public KubernetesClient client() {
    return client;
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
        throw new IllegalStateException(resource.getKind() + " " + resource.getMetadata().getName()
            + " already exists; the scenario does not overwrite objects it did not create", e);
      }
      throw e;
    }
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
        return Optional.of(e.getStatus() != null && e.getStatus().getMessage() != null
            ? e.getStatus().getMessage() : e.getMessage());
      }
      throw e;
    }
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
