package io.scopeguard.guard;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.scopeguard.api.ClusterScope;
import io.scopeguard.api.DeletionBudget;
import io.scopeguard.api.Enforcement;
import io.scopeguard.approval.Fingerprint;
import io.scopeguard.approval.GuardDecision;
import io.scopeguard.approval.HoldState;
import io.scopeguard.approval.Tokens;
import io.scopeguard.deletion.RevisionJudge;
import io.scopeguard.flux.FluxKinds;
import io.scopeguard.runtime.OperatorSettings.UnknownPolicy;
import io.scopeguard.scope.GuardFacts;
import io.scopeguard.scope.Reason;
import io.scopeguard.scope.ScopeJudge;
import io.scopeguard.scope.Target;
import io.scopeguard.scope.Verdict;
import java.util.List;
import java.util.Optional;

/**
 * The one place a verdict, and what to do about it, is computed, whoever asks: the scope
 * admission webhook (on the object being written, with facts read through to the API server), the
 * guard loop and the ClusterScope status (on the object as stored, from the caches). Gathers the
 * facts, asks the pure judges (scope first, then for a Kustomization within its scope what its
 * pending revision would delete), and the pure approval table.
 */
public final class Decisions {

  /**
   * A decision with everything it rests on.
   *
   * @param judgement the verdict and the facts it was reached on
   * @param state the resource's hold state, from its pause switch and annotations
   * @param fingerprint what an approval of this judgement is bound to; null when the resource is
   *     allowed and not held (nothing to bind)
   * @param decision what to do
   */
  public record Decided(Judgement judgement, HoldState state, String fingerprint, GuardDecision.Decision decision) {}

  private final WatchedResources watched;
  private final RevisionJudge revisions;
  private final UnknownPolicy unknownPolicy;

  /** Scope checks only. */
  public Decisions(WatchedResources watched) {
    this(watched, null, UnknownPolicy.Allow);
  }

  /**
   * @param revisions judges pending revisions, or null to judge scope only
   * @param unknownPolicy what an unpredictable revision gets
   */
  public Decisions(WatchedResources watched, RevisionJudge revisions, UnknownPolicy unknownPolicy) {
    this.watched = watched;
    this.revisions = revisions;
    this.unknownPolicy = unknownPolicy;
  }

  /** The judgement of a resource as stored, from the caches. */
  public Judgement judge(GuardedKind kind, GenericKubernetesResource resource) {
    return judge(kind, resource, watched);
  }

  /** The judgement of a resource: scope, then (for a Kustomization within its scope) its pending revision. */
  public Judgement judge(GuardedKind kind, GenericKubernetesResource resource, FactSource facts) {
    Judgement scope = judgeScope(kind, resource, facts);
    if (!scope.verdict().isAllowed() || revisions == null || !kind.equals(FluxKinds.KUSTOMIZATION)) {
      return scope;
    }
    DeletionBudget budget = scope.home().map(s -> s.getSpec().getDeletion()).orElseGet(DeletionBudget::new);
    Optional<RevisionJudge.Judged> judged = revisions.judge(resource, budget);
    Integer deleting = judged.filter(j -> j.verdict().isAllowed() || j.verdict().reason() != Reason.PredictionUnknown)
        .map(RevisionJudge.Judged::deleting).orElse(null);
    if (judged.isPresent() && !judged.get().verdict().isAllowed()) {
      Verdict revision = judged.get().verdict();
      if (revision.reason() == Reason.PredictionUnknown && unknownPolicy == UnknownPolicy.Allow) {
        return scope.with(scope.verdict(), judged.get().revision(), revision.message(), null);
      }
      return scope.with(revision, judged.get().revision(), null, deleting);
    }
    return scope.with(scope.verdict(), null, null, deleting);
  }

  /** The scope judgement alone: label or namespace default, target, source, consumers. */
  public Judgement judgeScope(GuardedKind kind, GenericKubernetesResource resource, FactSource facts) {
    boolean reconciler = kind.role() == GuardedKind.Role.RECONCILER;
    String label = WatchedResources.scopeLabel(resource.getMetadata().getLabels());
    String namespace = resource.getMetadata().getNamespace();
    Optional<String> fromNamespace = label != null || !reconciler ? Optional.empty() : facts.namespaceScope(namespace);
    String scopeName = label != null ? label : fromNamespace.orElse(null);
    String origin = label != null ? "its label" : fromNamespace.isPresent() ? "the label of Namespace " + namespace : null;
    Optional<ClusterScope> scope = scopeName == null ? Optional.empty() : facts.scope(scopeName);
    Target target = reconciler ? existing(kind.target().apply(resource), facts) : Target.LOCAL;
    List<ClusterScope> declaring = reconciler ? facts.scopesDeclaring(target.key()) : List.of();
    GuardFacts guardFacts = new GuardFacts(
        subject(kind, resource),
        reconciler,
        scopeName,
        origin,
        scope.map(ClusterScope::getSpec).orElse(null),
        target,
        declaring.stream().map(s -> s.getMetadata().getName()).toList(),
        source(kind, resource, facts),
        reconciler ? List.of() : consumers(kind, resource, facts));
    Verdict verdict = ScopeJudge.judge(guardFacts);
    Optional<ClusterScope> home = verdict.scope() != null ? facts.scope(verdict.scope())
        : scope.or(() -> declaring.stream().findFirst());
    Enforcement enforcement = home.map(s -> s.getSpec().getEnforcement()).orElse(Enforcement.Enforce);
    return new Judgement(guardFacts, verdict, home, enforcement, null, null, null);
  }

  /** What to do about a resource as stored (the guard loop); its token is its generation's. */
  public Decided decide(GuardedKind kind, GenericKubernetesResource resource) {
    return decide(judge(kind, resource), kind, resource, resource.getMetadata().getGeneration());
  }

  /**
   * What to do about a resource, given its judgement.
   *
   * @param generation the generation a new scope hold's token is made from (in admission, the one
   *     the object is about to have)
   */
  public Decided decide(Judgement judgement, GuardedKind kind, GenericKubernetesResource resource, Long generation) {
    HoldState state = HoldState.of(Json.flag(resource, kind.pausePointer()), resource.getMetadata().getAnnotations());
    if (judgement.verdict().isAllowed() && !state.heldByScopeguard()) {
      return new Decided(judgement, state, null, new GuardDecision.Decision(GuardDecision.Action.NONE, null, null, null));
    }
    String fingerprint = fingerprint(judgement, kind, resource);
    String token = judgement.aboutRevision() ? judgement.revision() : Tokens.forGeneration(generation);
    GuardDecision.Decision decision = GuardDecision.decide(judgement.verdict(), state, judgement.enforcement(),
        fingerprint, token);
    return new Decided(judgement, state, fingerprint, decision);
  }

  /** What an approval of this judgement is bound to: the spec, the scope and, for a revision, the revision. */
  public static String fingerprint(Judgement judgement, GuardedKind kind, GenericKubernetesResource resource) {
    return judgement.aboutRevision() ? RevisionJudge.fingerprint(resource, judgement.revision())
        : Fingerprint.of(resource, kind.pausePointer(), judgement.facts().scopeName());
  }

  /** Whether a person already approved exactly this judgement. */
  public static boolean approved(Judgement judgement, GuardedKind kind, GenericKubernetesResource resource) {
    HoldState state = HoldState.of(Json.flag(resource, kind.pausePointer()), resource.getMetadata().getAnnotations());
    return !judgement.verdict().isAllowed() && state.approves(judgement.verdict().reason(),
        GuardDecision.approvalKey(judgement.verdict(), fingerprint(judgement, kind, resource)));
  }

  /** A remote target counts only if Cluster API knows that Cluster; a kubeconfig Secret's name alone proves nothing. */
  private static Target existing(Target target, FactSource facts) {
    if (target instanceof Target.Cluster cluster && !facts.clusterExists(cluster.namespace(), cluster.name())) {
      return new Target.Unresolved("no Cluster API Cluster " + cluster.key() + " exists");
    }
    return target;
  }

  private static GuardFacts.SourceFacts source(GuardedKind kind, GenericKubernetesResource resource, FactSource facts) {
    if (kind.role() == GuardedKind.Role.SOURCE) {
      return new GuardFacts.SourceFacts("its own URL", kind.sourceUrl().apply(resource).orElse(null));
    }
    return kind.sourceRef().apply(resource)
        .flatMap(facts::source)
        .map(found -> new GuardFacts.SourceFacts(subject(found.kind(), found.resource()),
            found.kind().sourceUrl().apply(found.resource()).orElse(null)))
        .orElse(null);
  }

  /** The reconcilers delivering from a source, each with the ClusterScope it acts under. */
  private static List<GuardFacts.Consumer> consumers(GuardedKind kind, GenericKubernetesResource resource,
      FactSource facts) {
    GuardedKind.SourceRef ref = new GuardedKind.SourceRef(kind.kind(), resource.getMetadata().getNamespace(),
        resource.getMetadata().getName());
    return facts.consumers(ref).stream().map(consumer -> {
      String label = WatchedResources.scopeLabel(consumer.resource().getMetadata().getLabels());
      String name = label != null ? label : facts.namespaceScope(consumer.resource().getMetadata().getNamespace()).orElse(null);
      return new GuardFacts.Consumer(subject(consumer.kind(), consumer.resource()), name,
          name == null ? null : facts.scope(name).map(ClusterScope::getSpec).orElse(null));
    }).toList();
  }

  /** How a resource is named in messages: {@code Kustomization flux-system/apps}. */
  public static String subject(GuardedKind kind, GenericKubernetesResource resource) {
    String namespace = resource.getMetadata().getNamespace();
    return kind.kind() + " " + (namespace == null ? "" : namespace + "/") + resource.getMetadata().getName();
  }
}
