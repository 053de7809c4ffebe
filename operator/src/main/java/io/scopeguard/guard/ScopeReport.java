package io.scopeguard.guard;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.scopeguard.api.Approval;
import io.scopeguard.api.ClusterScope;
import io.scopeguard.api.Enforcement;
import io.scopeguard.api.HeldReconciliation;
import io.scopeguard.api.InventorySummary;
import io.scopeguard.approval.Annotations;
import io.scopeguard.approval.HoldState;
import io.scopeguard.flux.FluxStatus;
import io.scopeguard.kinds.GuardedKind;
import io.scopeguard.kinds.Json;
import io.scopeguard.scope.Reason;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a ClusterScope's status says about the reconciliations under it: one row per reconciliation
 * scopeguard holds (or, under Audit, would hold), and the inventory of its cluster. Derived from
 * the caches each time, so status always matches the resources themselves.
 */
public final class ScopeReport {

  /** The rows, approvals and inventory for one ClusterScope. */
  public record Report(
      List<HeldReconciliation> rows, List<Approval> approvals, InventorySummary inventory) {}

  private final WatchedResources watched;
  private final Decisions decisions;
  private final Clock clock;

  public ScopeReport(WatchedResources watched, Decisions decisions, Clock clock) {
    this.watched = watched;
    this.decisions = decisions;
    this.clock = clock;
  }

  /**
   * @param scope the ClusterScope
   * @param previous its current rows (an Audit row keeps its {@code since})
   */
  public Report report(ClusterScope scope, List<HeldReconciliation> previous) {
    String name = scope.getMetadata().getName();
    String cluster = WatchedResources.clusterKey(scope);
    Map<String, WatchedResources.Watched> related = new LinkedHashMap<>();
    watched
        .byIndex(
            WatchedResources.SCOPE_INDEX,
            name,
            GuardedKind.Role.RECONCILER,
            GuardedKind.Role.SOURCE)
        .forEach(w -> related.put(ResourceKey.of(w.kind(), w.resource()).id(), w));
    List<WatchedResources.Watched> targeting =
        cluster == null
            ? List.of()
            : watched.byIndex(WatchedResources.TARGET_INDEX, cluster, GuardedKind.Role.RECONCILER);
    targeting.forEach(w -> related.put(ResourceKey.of(w.kind(), w.resource()).id(), w));
    watched
        .namespacesDefaultingTo(name)
        .forEach(
            namespace ->
                watched
                    .byIndex(
                        WatchedResources.NAMESPACE_INDEX, namespace, GuardedKind.Role.RECONCILER)
                    .forEach(w -> related.put(ResourceKey.of(w.kind(), w.resource()).id(), w)));
    List.copyOf(related.values()).stream()
        .filter(w -> w.kind().role() == GuardedKind.Role.RECONCILER)
        .forEach(
            w ->
                w.kind()
                    .sourceRef()
                    .apply(w.resource())
                    .flatMap(watched::source)
                    .ifPresent(
                        source ->
                            related.put(
                                ResourceKey.of(source.kind(), source.resource()).id(), source)));

    FactSource facts = watched.withScope(scope);
    List<HeldReconciliation> rows = new ArrayList<>();
    List<Approval> approvals = new ArrayList<>();
    for (WatchedResources.Watched w : related.values()) {
      Judgement judgement = decisions.judgeFromResults(w.kind(), w.resource(), facts);
      if (judgement.home().filter(home -> home.getMetadata().getName().equals(name)).isPresent()) {
        row(w.kind(), w.resource(), judgement, previous).ifPresent(rows::add);
        approval(w.kind(), w.resource()).ifPresent(approvals::add);
      }
    }
    approvals.sort(
        Comparator.comparing(
                Approval::getApprovedAt, Comparator.nullsFirst(Comparator.naturalOrder()))
            .reversed());
    rows.sort(
        Comparator.comparing(
                HeldReconciliation::getNamespace, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparing(HeldReconciliation::getKind)
            .thenComparing(HeldReconciliation::getName));
    int objects = targeting.stream().mapToInt(w -> inventorySize(w.resource())).sum();
    return new Report(rows, approvals, new InventorySummary(objects, targeting.size()));
  }

  private static Optional<Approval> approval(GuardedKind kind, GenericKubernetesResource resource) {
    Map<String, String> annotations = resource.getMetadata().getAnnotations();
    if (annotations == null || annotations.get(Annotations.APPROVED_BY) == null) {
      return Optional.empty();
    }
    Approval approval = new Approval();
    approval.setKind(kind.kind());
    approval.setNamespace(resource.getMetadata().getNamespace());
    approval.setName(resource.getMetadata().getName());
    approval.setToken(annotations.get(Annotations.APPROVE));
    approval.setApprovedBy(annotations.get(Annotations.APPROVED_BY));
    approval.setApprovedAt(annotations.get(Annotations.APPROVED_AT));
    return Optional.of(approval);
  }

  private Optional<HeldReconciliation> row(
      GuardedKind kind,
      GenericKubernetesResource resource,
      Judgement judgement,
      List<HeldReconciliation> previous) {
    HoldState state =
        HoldState.of(
            Json.flag(resource, kind.pausePointer()), resource.getMetadata().getAnnotations());
    boolean violating =
        !judgement.verdict().isAllowed() && !Decisions.approved(judgement, kind, resource);
    HeldReconciliation row = new HeldReconciliation();
    row.setKind(kind.kind());
    row.setNamespace(resource.getMetadata().getNamespace());
    row.setName(resource.getMetadata().getName());
    if (state.heldByScopeguard()) {
      row.setAction("Suspended");
      row.setReason(state.heldReason());
      row.setSince(state.heldAt());
      row.setApprove(Actuator.approve(kind, resource, state.heldToken()));
      if (HoldState.aboutRevision(state.heldReason())) {
        row.setRevision(state.heldToken());
      }
      String message =
          judgement.verdict().isAllowed()
              ? "the reason no longer holds ("
                  + judgement.verdict().message()
                  + "); nothing resumes on its own: approve to resume"
              : judgement.verdict().message();
      if (state.approvalMismatch()) {
        message +=
            "; approval "
                + state.approve()
                + " by "
                + Actuator.approver(resource)
                + " ignored: it does not match the token "
                + state.heldToken();
      }
      row.setMessage(message);
      return Optional.of(row);
    }
    if (judgement.warning() != null) {
      row.setAction("Recorded");
      row.setReason(Reason.PredictionUnknown.name());
      row.setRevision(judgement.revision());
      row.setMessage(judgement.warning());
      row.setSince(since(previous, row));
      return Optional.of(row);
    }
    if (violating && judgement.enforcement() == Enforcement.Audit) {
      String token = String.valueOf(resource.getMetadata().getGeneration());
      row.setAction("Recorded");
      row.setReason(judgement.verdict().reason().name());
      row.setMessage(judgement.verdict().message() + " (Audit: not suspended)");
      row.setApprove(Actuator.approve(kind, resource, token));
      row.setSince(since(previous, row));
      return Optional.of(row);
    }
    return Optional.empty();
  }

  private String since(List<HeldReconciliation> previous, HeldReconciliation row) {
    return previous.stream()
        .filter(
            p ->
                p.getName().equals(row.getName())
                    && p.getKind().equals(row.getKind())
                    && Objects.equals(p.getNamespace(), row.getNamespace())
                    && p.getReason().equals(row.getReason()))
        .map(HeldReconciliation::getSince)
        .findFirst()
        .orElse(Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString());
  }

  private static int inventorySize(GenericKubernetesResource resource) {
    return FluxStatus.inventory(resource).size();
  }
}
