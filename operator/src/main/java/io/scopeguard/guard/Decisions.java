package io.scopeguard.guard;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.scopeguard.api.ClusterScope;
import io.scopeguard.api.DeletionBudget;
import io.scopeguard.api.Enforcement;
import io.scopeguard.approval.Fingerprint;
import io.scopeguard.approval.GuardDecision;
import io.scopeguard.approval.HoldState;
import io.scopeguard.approval.Tokens;
import io.scopeguard.deletion.UnknownPolicy;
import io.scopeguard.flux.FluxKinds;
import io.scopeguard.flux.FluxStatus;
import io.scopeguard.kinds.GuardedKind;
import io.scopeguard.kinds.Json;
import io.scopeguard.scope.GuardFacts;
import io.scopeguard.scope.Reason;
import io.scopeguard.scope.ScopeJudge;
import io.scopeguard.scope.Target;
import io.scopeguard.scope.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The one place a verdict, and what to do about it, is computed, whoever asks: the scope gate (on
 * the object being written), the guard loop (on the object as stored; both read what the caches
 * miss through to the API server, so they decide alike whichever watch event came first) and the
 * ClusterScope status (from the caches and the revision judgements already reached). Gathers the
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
  public record Decided(
      Judgement judgement, HoldState state, String fingerprint, GuardDecision.Decision decision) {}

  /**
   * What admission writes into the object: nothing, the whole hold, or only the pause switch back
   * on.
   */
  public enum AdmissionAction {
    NONE,
    /** A new hold, or one re-judged: pause switch on, hold annotations set. */
    HOLD,
    /**
     * Held, but its pause switch is off and was off before too (so the resume guard cannot refuse
     * turning it off).
     */
    PAUSE
  }

  /** What the guard loop may take to read through a miss, per resource. */
  private static final Duration GUARD_READ_BUDGET = Duration.ofSeconds(5);

  private final WatchedResources watched;
  private final RevisionJudge revisions;
  private final UnknownPolicy unknownPolicy;
  private final ReadThroughFacts.Reader reader;

  /** Scope checks only, from the caches. */
  public Decisions(WatchedResources watched) {
    this(watched, null, UnknownPolicy.Allow, null);
  }

  /**
   * @param revisions judges pending revisions, or null to judge scope only
   * @param unknownPolicy what an unpredictable revision gets
   * @param reader reads what the caches miss through to the API server, or null to read the caches
   *     alone
   */
  public Decisions(
      WatchedResources watched,
      RevisionJudge revisions,
      UnknownPolicy unknownPolicy,
      ReadThroughFacts.Reader reader) {
    this.watched = watched;
    this.revisions = revisions;
    this.unknownPolicy = unknownPolicy;
    this.reader = reader;
  }

  /**
   * The facts of one decision: read through to the API server where the caches miss, when there is
   * a reader.
   */
  public FactSource facts(String about, Duration budget, boolean readConsumers) {
    return reader == null ? watched : reader.facts(about, budget, readConsumers);
  }

  /**
   * The judgement of a resource: scope, then (for a Kustomization within its scope) its pending
   * revision.
   */
  public Judgement judge(GuardedKind kind, GenericKubernetesResource resource, FactSource facts) {
    return withRevision(judgeScope(kind, resource, facts), kind, resource, true);
  }

  /**
   * As {@link #judge(GuardedKind, GenericKubernetesResource, FactSource)}, from the revision
   * judgements already reached, never starting one: what status reports, which must not fetch or
   * unpack artifacts on its own threads.
   */
  public Judgement judgeFromResults(
      GuardedKind kind, GenericKubernetesResource resource, FactSource facts) {
    return withRevision(judgeScope(kind, resource, facts), kind, resource, false);
  }

  /**
   * The judgement of a Kustomization against an artifact it does not apply yet: the one its source
   * is about to publish (the revision gate), judged within {@code timeout}.
   */
  public Judgement judge(
      GenericKubernetesResource kustomization,
      FluxStatus.Artifact artifact,
      FactSource facts,
      Duration timeout) {
    Judgement scope = judgeScope(FluxKinds.KUSTOMIZATION, kustomization, facts);
    if (!revisionAtStake(scope, kustomization)) {
      return scope;
    }
    return withRevision(
        scope, Optional.of(revisions.judge(kustomization, artifact, budget(scope), timeout)));
  }

  private Judgement withRevision(
      Judgement scope, GuardedKind kind, GenericKubernetesResource resource, boolean judgeNow) {
    if (!kind.equals(FluxKinds.KUSTOMIZATION) || !revisionAtStake(scope, resource)) {
      return scope;
    }
    DeletionBudget budget = budget(scope);
    return withRevision(
        scope,
        judgeNow
            ? revisions.judge(resource, budget)
            : revisions.known(resource, budget).flatMap(known -> known));
  }

  /**
   * Whether what a Kustomization's revision would delete is to be judged: when its scope allows it,
   * or a person approved what its scope does not (approving a scope hold never approves a
   * revision).
   */
  private boolean revisionAtStake(Judgement scope, GenericKubernetesResource kustomization) {
    return revisions != null
        && (scope.verdict().isAllowed() || approved(scope, FluxKinds.KUSTOMIZATION, kustomization));
  }

  private static DeletionBudget budget(Judgement scope) {
    return scope.home().map(s -> s.getSpec().getDeletion()).orElseGet(DeletionBudget::new);
  }

  private Judgement withRevision(Judgement scope, Optional<RevisionJudge.Judged> judged) {
    if (judged.isEmpty()) {
      return scope;
    }
    RevisionJudge.Judged revision = judged.get();
    Verdict verdict = revision.verdict();
    if (verdict.isAllowed()) {
      return scope.verdict().isAllowed()
          ? scope.with(verdict, revision.revision(), null, revision.deleting(), null)
          : scope.with(scope.verdict(), null, null, revision.deleting(), null);
    }
    if (verdict.reason() == Reason.PredictionUnknown
        && !revision.unreadable()
        && unknownPolicy == UnknownPolicy.Allow) {
      return scope.with(
          scope.verdict(),
          revision.revision(),
          verdict.message() + "; let through by policy (--unknown-prediction=Allow)",
          null,
          null);
    }
    boolean unknown = verdict.reason() == Reason.PredictionUnknown;
    return scope.with(
        verdict,
        revision.revision(),
        null,
        unknown ? null : revision.deleting(),
        unknown ? null : revision.report());
  }

  /** The scope judgement alone: label or namespace default, target, source, consumers. */
  public Judgement judgeScope(
      GuardedKind kind, GenericKubernetesResource resource, FactSource facts) {
    boolean reconciler = kind.role() == GuardedKind.Role.RECONCILER;
    String label = WatchedResources.scopeLabel(resource.getMetadata().getLabels());
    String namespace = resource.getMetadata().getNamespace();
    Optional<String> fromNamespace =
        label != null || !reconciler ? Optional.empty() : facts.namespaceScope(namespace);
    String scopeName = label != null ? label : fromNamespace.orElse(null);
    String origin =
        label != null
            ? "its label"
            : fromNamespace.isPresent() ? "the label of Namespace " + namespace : null;
    Optional<ClusterScope> scope = scopeName == null ? Optional.empty() : facts.scope(scopeName);
    Target target = reconciler ? existing(kind.target().apply(resource), facts) : Target.LOCAL;
    List<ClusterScope> declaring = reconciler ? facts.scopesDeclaring(target.key()) : List.of();
    GuardFacts guardFacts =
        new GuardFacts(
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
    Optional<ClusterScope> about =
        verdict.scope() == null ? Optional.empty() : facts.scope(verdict.scope());
    Optional<ClusterScope> home = about.or(() -> scope).or(() -> declaring.stream().findFirst());
    List<ClusterScope> involved = new ArrayList<>();
    scope.ifPresent(involved::add);
    if (scope.isEmpty() || !ScopeJudge.declares(scope.get().getSpec(), target)) {
      involved.addAll(declaring);
    }
    about.ifPresent(involved::add);
    return new Judgement(guardFacts, verdict, home, enforcement(involved), null, null, null, null);
  }

  /**
   * Audit only when every ClusterScope the verdict involves audits: its own; the ones declaring its
   * target when its own does not (an Enforce scope protects its cluster whatever scope a resource
   * acting on it names); the consumer's that does not allow a source. Enforce when none is involved
   * (fail closed).
   */
  private static Enforcement enforcement(List<ClusterScope> involved) {
    return !involved.isEmpty()
            && involved.stream().allMatch(s -> s.getSpec().getEnforcement() == Enforcement.Audit)
        ? Enforcement.Audit
        : Enforcement.Enforce;
  }

  /**
   * What to do about a resource as stored (the guard loop), reading misses through; its token is
   * its generation's.
   *
   * @throws ReadThroughFacts.FactsUnavailable when a fact could not be read (the loop retries)
   */
  public Decided decide(GuardedKind kind, GenericKubernetesResource resource) {
    FactSource facts = facts(subject(kind, resource), GUARD_READ_BUDGET, false);
    return decide(
        judge(kind, resource, facts), kind, resource, resource.getMetadata().getGeneration());
  }

  /**
   * What admission writes into an object being created or changed: its scope, and for a
   * Kustomization whose write {@linkplain #changesWhatItApplies changes what it applies}, what its
   * current revision would then delete. A revision's hold is otherwise the guard loop's and the
   * revision gates' to judge, and admission leaves it as it is. Whatever the decision, a hold never
   * goes on with its pause switch off unless the resume guard refuses that.
   *
   * @param previous the object as stored before this write, or null when it is created
   * @param generation the generation the object is about to have, for a new hold's token
   */
  public Admission decideAtAdmission(
      GuardedKind kind,
      GenericKubernetesResource object,
      GenericKubernetesResource previous,
      FactSource facts,
      Long generation) {
    Judgement judgement = judgeScope(kind, object, facts);
    if (changesWhatItApplies(kind, previous, object)) {
      judgement = withRevision(judgement, kind, object, true);
    }
    Decided decided = decide(judgement, kind, object, generation);
    GuardDecision.Action action = decided.decision().action();
    boolean heldForRevision =
        decided.judgement().verdict().isAllowed()
            && HoldState.aboutRevision(decided.state().heldReason());
    if ((action == GuardDecision.Action.SUSPEND || action == GuardDecision.Action.UPDATE_HOLD)
        && !heldForRevision) {
      return new Admission(decided, AdmissionAction.HOLD);
    }
    boolean unpaused = !Json.flag(object, kind.pausePointer());
    boolean wasPaused = previous != null && Json.flag(previous, kind.pausePointer());
    if (decided.state().heldByScopeguard() && unpaused && !wasPaused) {
      return new Admission(decided, AdmissionAction.PAUSE);
    }
    return new Admission(decided, AdmissionAction.NONE);
  }

  /**
   * Whether a write makes a Kustomization apply something else than before, so that what its
   * current revision would delete is judged in the write itself: a change of what it builds
   * (source, path, namespace, prefix and suffix, patches, components, images, substitutions) or
   * turning prune on, and a person resuming a Kustomization they paused. Flux starts that reconcile
   * within milliseconds of the write.
   */
  static boolean changesWhatItApplies(
      GuardedKind kind, GenericKubernetesResource previous, GenericKubernetesResource object) {
    if (!kind.equals(FluxKinds.KUSTOMIZATION)
        || previous == null
        || Json.flag(object, kind.pausePointer())) {
      return false;
    }
    boolean resumedByPerson =
        Json.flag(previous, kind.pausePointer())
            && !HoldState.of(true, previous.getMetadata().getAnnotations()).heldByScopeguard();
    return resumedByPerson
        || FluxStatus.prune(object) && !FluxStatus.prune(previous)
        || !kind.sourceRef().apply(object).equals(kind.sourceRef().apply(previous))
        || !FluxKinds.kustomizationSpec(object).equals(FluxKinds.kustomizationSpec(previous));
  }

  /**
   * The revision gate's decision on an artifact a source is about to publish: each consumer judged
   * against it with the same table as everywhere else. A consumer trips when that table would hold
   * it for this revision: over budget or unreadable, under Enforce, not approved, not paused by a
   * person (whose resume is judged when it is written), not held for its scope (a scope hold comes
   * first; its approval is followed by this judgement).
   *
   * @param timeout how long judging each consumer may take
   */
  public List<ConsumerDecided> decideNewRevision(
      GuardedKind sourceKind,
      GenericKubernetesResource source,
      FluxStatus.Artifact artifact,
      FactSource facts,
      Duration timeout) {
    GuardedKind.SourceRef ref =
        new GuardedKind.SourceRef(
            sourceKind.kind(), source.getMetadata().getNamespace(), source.getMetadata().getName());
    List<ConsumerDecided> decided = new ArrayList<>();
    for (WatchedResources.Watched consumer : facts.consumers(ref)) {
      if (!consumer.kind().equals(FluxKinds.KUSTOMIZATION)) {
        continue;
      }
      GenericKubernetesResource kustomization = consumer.resource();
      decided.add(
          new ConsumerDecided(
              kustomization,
              decide(
                  judge(kustomization, artifact, facts, timeout),
                  FluxKinds.KUSTOMIZATION,
                  kustomization,
                  kustomization.getMetadata().getGeneration())));
    }
    return decided;
  }

  /**
   * As the revision gate decides, for the guard loop: facts read through, judged within the judge's
   * own time.
   */
  public List<ConsumerDecided> decideNewRevision(
      GuardedKind sourceKind, GenericKubernetesResource source, FluxStatus.Artifact artifact) {
    return decideNewRevision(
        sourceKind,
        source,
        artifact,
        facts(subject(sourceKind, source), GUARD_READ_BUDGET, false),
        revisions.timeout());
  }

  /**
   * One consumer's decision on a revision its source is about to publish.
   *
   * @param kustomization the consumer
   * @param decided what the approval table says
   */
  public record ConsumerDecided(GenericKubernetesResource kustomization, Decided decided) {

    /**
     * Whether the table holds the consumer for this revision: the revision gate does not publish
     * it.
     */
    public boolean holdsRevision() {
      return decided.judgement().aboutRevision()
          && switch (decided.decision().action()) {
            case SUSPEND, RESUSPEND, UPDATE_HOLD, KEEP -> true;
            default -> false;
          };
    }
  }

  /** A decision taken in admission, and what to write for it. */
  public record Admission(Decided decided, AdmissionAction action) {}

  /**
   * What to do about a resource, given its judgement.
   *
   * @param generation the generation a new scope hold's token is made from (in admission, the one
   *     the object is about to have)
   */
  public Decided decide(
      Judgement judgement, GuardedKind kind, GenericKubernetesResource resource, Long generation) {
    HoldState state =
        HoldState.of(
            Json.flag(resource, kind.pausePointer()), resource.getMetadata().getAnnotations());
    if (judgement.verdict().isAllowed() && !state.heldByScopeguard()) {
      return new Decided(
          judgement,
          state,
          null,
          new GuardDecision.Decision(GuardDecision.Action.NONE, null, null, null));
    }
    boolean revisionHold = revisionHold(judgement, state);
    String fingerprint =
        revisionHold
            ? RevisionJudge.fingerprint(resource, judgement.revision())
            : Fingerprint.of(resource, kind.pausePointer(), judgement.facts().scopeName());
    String token = revisionHold ? judgement.revision() : Tokens.forGeneration(generation);
    GuardDecision.Decision decision =
        GuardDecision.decide(
            judgement.verdict(), state, judgement.enforcement(), fingerprint, token);
    return new Decided(judgement, state, fingerprint, decision);
  }

  /**
   * Whether a decision is about a revision: its verdict is, or the resource is held for a revision
   * and the revision now pending is within budget (the hold stays until a person approves that
   * one).
   */
  private static boolean revisionHold(Judgement judgement, HoldState state) {
    return judgement.aboutRevision()
        || judgement.verdict().isAllowed()
            && judgement.revision() != null
            && HoldState.aboutRevision(state.heldReason());
  }

  /**
   * What an approval of this judgement is bound to: the spec, the scope and, for a revision, the
   * revision.
   */
  public static String fingerprint(
      Judgement judgement, GuardedKind kind, GenericKubernetesResource resource) {
    HoldState state =
        HoldState.of(
            Json.flag(resource, kind.pausePointer()), resource.getMetadata().getAnnotations());
    return revisionHold(judgement, state)
        ? RevisionJudge.fingerprint(resource, judgement.revision())
        : Fingerprint.of(resource, kind.pausePointer(), judgement.facts().scopeName());
  }

  /** Whether a person already approved exactly this judgement. */
  public static boolean approved(
      Judgement judgement, GuardedKind kind, GenericKubernetesResource resource) {
    HoldState state =
        HoldState.of(
            Json.flag(resource, kind.pausePointer()), resource.getMetadata().getAnnotations());
    return !judgement.verdict().isAllowed()
        && state.approves(
            judgement.verdict().reason(),
            GuardDecision.approvalKey(judgement.verdict(), fingerprint(judgement, kind, resource)));
  }

  /**
   * A remote target counts only if Cluster API knows that Cluster; a kubeconfig Secret's name alone
   * proves nothing.
   */
  private static Target existing(Target target, FactSource facts) {
    if (target instanceof Target.Cluster cluster
        && !facts.clusterExists(cluster.namespace(), cluster.name())) {
      return new Target.Unresolved("no Cluster API Cluster " + cluster.key() + " exists");
    }
    return target;
  }

  private static GuardFacts.SourceFacts source(
      GuardedKind kind, GenericKubernetesResource resource, FactSource facts) {
    if (kind.role() == GuardedKind.Role.SOURCE) {
      return new GuardFacts.SourceFacts(
          "its own URL", kind.sourceUrl().apply(resource).orElse(null));
    }
    return kind.sourceRef()
        .apply(resource)
        .flatMap(facts::source)
        .map(
            found ->
                new GuardFacts.SourceFacts(
                    subject(found.kind(), found.resource()),
                    found.kind().sourceUrl().apply(found.resource()).orElse(null)))
        .orElse(null);
  }

  /** The reconcilers delivering from a source, each with the ClusterScope it acts under. */
  private static List<GuardFacts.Consumer> consumers(
      GuardedKind kind, GenericKubernetesResource resource, FactSource facts) {
    GuardedKind.SourceRef ref =
        new GuardedKind.SourceRef(
            kind.kind(), resource.getMetadata().getNamespace(), resource.getMetadata().getName());
    return facts.consumers(ref).stream()
        .map(
            consumer -> {
              String label =
                  WatchedResources.scopeLabel(consumer.resource().getMetadata().getLabels());
              String name =
                  label != null
                      ? label
                      : facts
                          .namespaceScope(consumer.resource().getMetadata().getNamespace())
                          .orElse(null);
              return new GuardFacts.Consumer(
                  subject(consumer.kind(), consumer.resource()),
                  name,
                  name == null ? null : facts.scope(name).map(ClusterScope::getSpec).orElse(null));
            })
        .toList();
  }

  /** How a resource is named in messages: {@code Kustomization flux-system/apps}. */
  public static String subject(GuardedKind kind, GenericKubernetesResource resource) {
    String namespace = resource.getMetadata().getNamespace();
    return kind.kind()
        + " "
        + (namespace == null ? "" : namespace + "/")
        + resource.getMetadata().getName();
  }
}
