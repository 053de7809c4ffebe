package io.scopeguard.deletion;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.scopeguard.api.DeletionBudget;
import io.scopeguard.flux.FluxKinds;
import io.scopeguard.flux.FluxStatus;
import io.scopeguard.guard.GuardedKind;
import io.scopeguard.guard.WatchedResources;
import io.scopeguard.scope.Reason;
import io.scopeguard.scope.Verdict;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Judges the revision a Kustomization is about to apply: fetches its source's artifact (digest
 * verified, limits enforced), predicts what Flux would apply, takes the inventory minus the
 * prediction (only with {@code prune: true}), follows the cascade, and weighs the result against
 * the deletion budget, for the Kustomization's own inventory and the cluster's GitOps inventory.
 * Verdicts are cached by Kustomization, revision, spec and inventory, so the guard and the webhook
 * share one judgement per revision.
 */
public final class RevisionJudge {

  /**
   * One judged revision.
   *
   * @param revision the source revision judged
   * @param verdict allowed, or MassDeletion / PredictionUnknown with the message a person reads
   * @param deleting how many objects it would delete, cascade included (0 when unknown)
   */
  public record Judged(String revision, Verdict verdict, int deleting) {}

  private static final int CACHE_SIZE = 4096;

  private final WatchedResources watched;
  private final ArtifactFetcher fetcher;
  private final Map<String, Judged> cache = Collections.synchronizedMap(new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Judged> eldest) {
      return size() > CACHE_SIZE;
    }
  });

  public RevisionJudge(WatchedResources watched, ArtifactFetcher fetcher) {
    this.watched = watched;
    this.fetcher = fetcher;
  }

  /** What an approval of {@code revision} is bound to: the spec, the scope label and the revision. */
  public static String fingerprint(GenericKubernetesResource kustomization, String revision) {
    return io.scopeguard.approval.Fingerprint.of(kustomization, FluxKinds.SUSPEND) + "@" + revision;
  }

  /** The source revision this Kustomization would apply next, if its source has an artifact. */
  public Optional<FluxStatus.Artifact> pendingArtifact(GenericKubernetesResource kustomization) {
    return FluxKinds.KUSTOMIZATION.sourceRef().apply(kustomization)
        .flatMap(watched::source)
        .flatMap(source -> FluxStatus.artifact(source.resource()));
  }

  /** Judges the pending revision; empty when there is none (no source, or no artifact yet). */
  public Optional<Judged> judge(GenericKubernetesResource kustomization, DeletionBudget budget) {
    Optional<FluxStatus.Artifact> artifact = pendingArtifact(kustomization);
    if (artifact.isEmpty()) {
      return Optional.empty();
    }
    String key = key(kustomization, artifact.get(), budget);
    Judged cached = cache.get(key);
    if (cached != null) {
      return Optional.of(cached);
    }
    Judged judged = judge(kustomization, artifact.get(), FluxStatus.inventory(kustomization), budget);
    cache.put(key, judged);
    return Optional.of(judged);
  }

  /**
   * The verdict already reached for the pending revision, without judging: empty when there is no
   * pending revision, null-wrapped when it has not been judged yet ({@code Optional.of(Optional.empty())}).
   */
  public Optional<Optional<Judged>> known(GenericKubernetesResource kustomization, DeletionBudget budget) {
    Optional<FluxStatus.Artifact> artifact = pendingArtifact(kustomization);
    if (artifact.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(Optional.ofNullable(cache.get(key(kustomization, artifact.get(), budget))));
  }

  private static String key(GenericKubernetesResource kustomization, FluxStatus.Artifact artifact, DeletionBudget budget) {
    return kustomization.getMetadata().getUid() + "@" + artifact.revision() + "#"
        + io.scopeguard.approval.Fingerprint.of(kustomization, FluxKinds.SUSPEND) + "#"
        + FluxStatus.inventory(kustomization).hashCode()
        + "#" + budget.getMaxPercent() + "/" + budget.getMaxObjects() + "/" + budget.getMinInventory();
  }

  private Judged judge(GenericKubernetesResource kustomization, FluxStatus.Artifact artifact, List<String> inventory,
      DeletionBudget budget) {
    String subject = "Kustomization " + kustomization.getMetadata().getNamespace() + "/" + kustomization.getMetadata().getName();
    String revision = artifact.revision();
    if (!FluxStatus.prune(kustomization) || inventory.isEmpty()) {
      return new Judged(revision, Verdict.allowed(subject + " revision " + revision + " prunes nothing"), 0);
    }
    Prediction prediction;
    try {
      ArtifactTree tree = fetcher.fetch(artifact.url(), artifact.digest());
      prediction = KustomizePredictor.predict(tree.asSourceFiles(), KustomizationSpecFacts.of(kustomization), scopedKinds());
    } catch (ArtifactException e) {
      return unknown(subject, revision, "its artifact could not be read: " + e.getMessage());
    }
    if (prediction.outcome() == Prediction.Outcome.UNKNOWN) {
      return unknown(subject, revision, prediction.reason());
    }
    if (prediction.outcome() == Prediction.Outcome.BUILD_FAILS) {
      return new Judged(revision, Verdict.allowed(subject + " revision " + revision + " does not build ("
          + prediction.reason() + "); Flux prunes nothing"), 0);
    }
    Set<ObjectId> direct = new LinkedHashSet<>();
    for (String id : inventory) {
      ObjectId object = ObjectId.parse(id);
      if (!prediction.ids().contains(object)) {
        direct.add(object);
      }
    }
    Set<ObjectId> deleting = Cascade.expand(direct, new CachedInventories(watched));
    List<String> named = new ArrayList<>();
    deleting.forEach(id -> named.add(id.toString()));
    Verdict verdict = DeletionBudgetJudge.judge(subject, revision, direct.size(), named, inventory.size(),
        clusterInventory(kustomization), budget);
    return new Judged(revision, verdict, deleting.size());
  }

  private static Judged unknown(String subject, String revision, String why) {
    return new Judged(revision, Verdict.held(Reason.PredictionUnknown, subject + " revision " + revision
        + ": cannot predict what it would delete: " + why, "revision=" + revision), 0);
  }

  private ScopedKinds scopedKinds() {
    return ScopedKinds.builtInAnd(watched.clusterScopedKinds());
  }

  /**
   * Objects in the GitOps inventories of every reconciler acting on the same cluster. Summed: an
   * object belongs to one inventory (Flux's owner labels name one owner).
   */
  private int clusterInventory(GenericKubernetesResource kustomization) {
    String target = FluxKinds.KUSTOMIZATION.target().apply(kustomization).key();
    return watched.byIndex(WatchedResources.TARGET_INDEX, target, GuardedKind.Role.RECONCILER).stream()
        .mapToInt(w -> FluxStatus.inventory(w.resource()).size()).sum();
  }

  /** The cascade's view of the cluster: the inventories in the shared informer caches. */
  private record CachedInventories(WatchedResources watched) implements Cascade.Inventories {
    @Override
    public List<ObjectId> kustomization(String namespace, String name) {
      return watched.get(FluxKinds.KUSTOMIZATION, namespace, name)
          .filter(FluxStatus::deletingDeletesInventory)
          .map(k -> FluxStatus.inventory(k).stream().map(ObjectId::parse).toList())
          .orElse(List.of());
    }

    @Override
    public List<ObjectId> helmRelease(String namespace, String name) {
      return watched.get(FluxKinds.HELM_RELEASE, namespace, name)
          .filter(h -> !FluxStatus.suspended(h))
          .map(h -> FluxStatus.inventory(h).stream().map(ObjectId::parse).toList())
          .orElse(List.of());
    }

    @Override
    public List<ObjectId> inNamespace(String namespace) {
      Set<ObjectId> inside = new LinkedHashSet<>();
      for (GuardedKind kind : List.of(FluxKinds.KUSTOMIZATION, FluxKinds.HELM_RELEASE)) {
        for (GenericKubernetesResource reconciler : watched.byIndexAll(kind)) {
          FluxStatus.inventory(reconciler).stream().map(ObjectId::parse)
              .filter(id -> namespace.equals(id.namespace())).forEach(inside::add);
        }
      }
      return List.copyOf(inside);
    }
  }
}
