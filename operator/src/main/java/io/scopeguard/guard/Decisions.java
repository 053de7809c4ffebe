package io.scopeguard.guard;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.scopeguard.api.ClusterScope;
import io.scopeguard.api.Enforcement;
import io.scopeguard.approval.Annotations;
import io.scopeguard.api.DeletionBudget;
import io.scopeguard.deletion.RevisionJudge;
import io.scopeguard.flux.FluxKinds;
import io.scopeguard.runtime.OperatorSettings.UnknownPolicy;
import io.scopeguard.scope.GuardFacts;
import io.scopeguard.scope.Reason;
import io.scopeguard.scope.Verdict;
import io.scopeguard.scope.ScopeJudge;
import io.scopeguard.scope.Target;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Gathers the facts about a guarded resource from the informer caches and asks the judges: the
 * scope judge first, then, for a Kustomization within its scope, the revision judge (what its
 * pending revision would delete).
 */
public final class FactFinder {

  private final WatchedResources watched;
  private final RevisionJudge revisions;
  private final UnknownPolicy unknownPolicy;

  /** Scope checks only. */
  public FactFinder(WatchedResources watched) {
    this(watched, null, UnknownPolicy.Allow);
  }

  /**
   * @param revisions judges pending revisions, or null to judge scope only
   * @param unknownPolicy what an unpredictable revision gets
   */
  public FactFinder(WatchedResources watched, RevisionJudge revisions, UnknownPolicy unknownPolicy) {
    this.watched = watched;
    this.revisions = revisions;
    this.unknownPolicy = unknownPolicy;
  }

  public Judgement judge(GuardedKind kind, GenericKubernetesResource resource) {
    return judge(kind, resource, null);
  }

  /**
   * As {@link #judge(GuardedKind, GenericKubernetesResource)}, taking {@code known} as the current
   * state of that ClusterScope even if the shared cache has not seen it yet.
   */
  public Judgement judge(GuardedKind kind, GenericKubernetesResource resource, ClusterScope known) {
    boolean reconciler = kind.role() == GuardedKind.Role.RECONCILER;
    Map<String, String> labels = resource.getMetadata().getLabels();
    String scopeName = labels == null || labels.get(Annotations.SCOPE_LABEL) == null
        || labels.get(Annotations.SCOPE_LABEL).isBlank() ? null : labels.get(Annotations.SCOPE_LABEL);
    Optional<ClusterScope> scope = scopeName == null ? Optional.empty()
        : known != null && known.getMetadata().getName().equals(scopeName) ? Optional.of(known) : watched.scope(scopeName);
    Target target = reconciler ? existing(kind.target().apply(resource)) : Target.LOCAL;
    List<ClusterScope> declaring = reconciler ? declaring(target, known) : List.of();
    GuardFacts facts = new GuardFacts(
        subject(kind, resource),
        reconciler,
        scopeName,
        scope.map(ClusterScope::getSpec).orElse(null),
        target,
        declaring.stream().map(s -> s.getMetadata().getName()).toList(),
        source(kind, resource));
    Optional<ClusterScope> home = scope.or(() -> declaring.stream().findFirst());
    Enforcement enforcement = home.map(s -> s.getSpec().getEnforcement()).orElse(Enforcement.Enforce);
    Verdict verdict = ScopeJudge.judge(facts);
    if (verdict.isAllowed() && revisions != null && kind.equals(FluxKinds.KUSTOMIZATION)) {
      DeletionBudget budget = home.map(s -> s.getSpec().getDeletion()).orElseGet(DeletionBudget::new);
      Optional<RevisionJudge.Judged> judged = revisions.judge(resource, budget);
      Integer deleting = judged.filter(j -> j.verdict().isAllowed() || j.verdict().reason() != Reason.PredictionUnknown)
          .map(RevisionJudge.Judged::deleting).orElse(null);
      if (judged.isPresent() && !judged.get().verdict().isAllowed()) {
        Verdict revision = judged.get().verdict();
        if (revision.reason() == Reason.PredictionUnknown && unknownPolicy == UnknownPolicy.Allow) {
          return new Judgement(facts, verdict, home, enforcement, judged.get().revision(), revision.message(), null);
        }
        return new Judgement(facts, revision, home, enforcement, judged.get().revision(), null, deleting);
      }
      return new Judgement(facts, verdict, home, enforcement, null, null, deleting);
    }
    return new Judgement(facts, verdict, home, enforcement, null, null, null);
  }

  /** A remote target counts only if Cluster API knows that Cluster; a kubeconfig Secret's name alone proves nothing. */
  private Target existing(Target target) {
    if (target instanceof Target.Cluster cluster && !watched.clusterExists(cluster.namespace(), cluster.name())) {
      return new Target.Unresolved("no Cluster API Cluster " + cluster.key() + " exists");
    }
    return target;
  }

  private List<ClusterScope> declaring(Target target, ClusterScope known) {
    List<ClusterScope> declaring = new java.util.ArrayList<>(watched.scopesDeclaring(target.key()));
    if (known != null) {
      declaring.removeIf(s -> s.getMetadata().getName().equals(known.getMetadata().getName()));
      if (target.key().equals(WatchedResources.clusterKey(known))) {
        declaring.add(known);
      }
      declaring.sort(java.util.Comparator.comparing(s -> s.getMetadata().getName()));
    }
    return declaring;
  }

  private GuardFacts.SourceFacts source(GuardedKind kind, GenericKubernetesResource resource) {
    if (kind.role() == GuardedKind.Role.SOURCE) {
      return new GuardFacts.SourceFacts("its own URL", kind.sourceUrl().apply(resource).orElse(null));
    }
    return kind.sourceRef().apply(resource)
        .flatMap(watched::source)
        .map(found -> new GuardFacts.SourceFacts(subject(found.kind(), found.resource()),
            found.kind().sourceUrl().apply(found.resource()).orElse(null)))
        .orElse(null);
  }

  /** How a resource is named in messages: {@code Kustomization flux-system/apps}. */
  public static String subject(GuardedKind kind, GenericKubernetesResource resource) {
    String namespace = resource.getMetadata().getNamespace();
    return kind.kind() + " " + (namespace == null ? "" : namespace + "/") + resource.getMetadata().getName();
  }
}
