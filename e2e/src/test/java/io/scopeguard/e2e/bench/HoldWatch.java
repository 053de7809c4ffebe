package io.scopeguard.e2e.bench;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.scopeguard.approval.Annotations;
import io.scopeguard.testkit.FluxObjects;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When each Kustomization of a namespace first carried one of scopeguard's holds, as a watch sees
 * it ({@link System#nanoTime()}): what a person or a controller would see, not what scopeguard
 * reports of itself.
 */
final class HoldWatch implements AutoCloseable {

  private final Map<String, Long> held = new ConcurrentHashMap<>();
  private final SharedIndexInformer<GenericKubernetesResource> informer;
  private final String reason;

  /**
   * @param reason the hold's reason to wait for ({@code MassDeletion}), or null for any
   */
  HoldWatch(KubernetesClient client, String ns, String reason) {
    this.reason = reason;
    informer =
        client
            .genericKubernetesResources(FluxObjects.KUSTOMIZATIONS, "Kustomization")
            .inNamespace(ns)
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(GenericKubernetesResource k) {
                    check(k);
                  }

                  @Override
                  public void onUpdate(
                      GenericKubernetesResource before, GenericKubernetesResource k) {
                    check(k);
                  }

                  @Override
                  public void onDelete(GenericKubernetesResource k, boolean unknown) {}
                });
  }

  private void check(GenericKubernetesResource k) {
    String heldFor = FluxObjects.annotation(k, Annotations.SUSPENDED_REASON);
    if (heldFor != null && (reason == null || reason.equals(heldFor))) {
      held.putIfAbsent(k.getMetadata().getName(), System.nanoTime());
    }
  }

  /** When {@code name} was first seen held, waiting for it up to {@code timeout}. */
  long await(String name, Duration timeout) throws InterruptedException {
    long until = System.nanoTime() + timeout.toNanos();
    while (!held.containsKey(name)) {
      if (System.nanoTime() > until) {
        throw new IllegalStateException(
            name + " was not held within " + timeout.toSeconds() + " s");
      }
      Thread.sleep(1);
    }
    return held.get(name);
  }

  /** Every Kustomization seen held so far, with when. */
  Map<String, Long> held() {
    return held;
  }

  @Override
  public void close() {
    informer.stop();
  }
}
