package io.scopeguard.guard;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import io.scopeguard.api.ClusterRef;
import io.scopeguard.api.ClusterScope;
import io.scopeguard.api.ClusterScopeStatus;
import io.scopeguard.api.JsonMapping;
import io.scopeguard.kinds.GuardedKind;
import io.scopeguard.scope.ClusterFacts;
import io.scopeguard.scope.ClusterScopeValidator;
import io.scopeguard.scope.ScopeConditions;
import io.scopeguard.scope.ScopeValidation;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles a {@link ClusterScope}: validates what the schema cannot (does the referenced Cluster
 * API Cluster exist?), lists the reconciliations held under it and its cluster's inventory, and
 * writes status, skipping writes that would change nothing. The write replaces the status
 * subresource under the resource version read, so a concurrent change makes it fail and the
 * reconcile is retried on a fresh copy; an index-based JSON Patch computed from a stale cache could
 * instead edit the wrong row.
 *
 * <p>It reads the shared informers of {@link WatchedResources}; their changes reach it through an
 * inbound event source, so it is re-run whenever a resource it lists (or its Cluster) changes.
 */
@ControllerConfiguration(name = ClusterScopeReconciler.NAME)
public class ClusterScopeReconciler implements Reconciler<ClusterScope>, WatchedResources.Listener {

  public static final String NAME = "clusterscope";
  private static final Logger LOG = LoggerFactory.getLogger(ClusterScopeReconciler.class);

  private final WatchedResources watched;
  private final ScopeReport report;
  private final ScopeConditions conditions;
  private final SimpleInboundEventSource<ClusterScope> related =
      new SimpleInboundEventSource<>("related-resources");

  public ClusterScopeReconciler(
      WatchedResources watched, ScopeReport report, ScopeConditions conditions) {
    this.watched = watched;
    this.report = report;
    this.conditions = conditions;
    watched.addListener(this);
  }

  @Override
  public List<EventSource<?, ClusterScope>> prepareEventSources(
      EventSourceContext<ClusterScope> context) {
    return List.of(related);
  }

  @Override
  public void resourceChanged(
      GuardedKind kind, GenericKubernetesResource before, GenericKubernetesResource after) {
    Stream.of(before, after)
        .filter(r -> r != null)
        .forEach(
            resource -> {
              if (kind.role() == GuardedKind.Role.CLUSTER) {
                watched
                    .scopesDeclaring(
                        resource.getMetadata().getNamespace()
                            + "/"
                            + resource.getMetadata().getName())
                    .forEach(this::poke);
                return;
              }
              pokeScopeOf(resource);
              if (kind.role() == GuardedKind.Role.RECONCILER) {
                watched.scopesDeclaring(kind.target().apply(resource).key()).forEach(this::poke);
              } else {
                watched
                    .consumers(
                        new GuardedKind.SourceRef(
                            kind.kind(),
                            resource.getMetadata().getNamespace(),
                            resource.getMetadata().getName()))
                    .forEach(consumer -> pokeScopeOf(consumer.resource()));
              }
            });
  }

  @Override
  public void namespaceScopeChanged(String namespace, String before, String after) {
    Stream.of(before, after)
        .filter(name -> name != null)
        .forEach(name -> propagate(new ResourceID(name)));
  }

  /**
   * The scope a resource acts under (its label, else its namespace's) lists it: re-run that one.
   */
  private void pokeScopeOf(GenericKubernetesResource resource) {
    Optional.ofNullable(WatchedResources.scopeLabel(resource.getMetadata().getLabels()))
        .or(() -> watched.namespaceScope(resource.getMetadata().getNamespace()))
        .ifPresent(name -> propagate(new ResourceID(name)));
  }

  @Override
  public void scopeChanged(ClusterScope before, ClusterScope after) {
    if (watched.notSynced() == null) {
      watched.allScopes().forEach(this::poke);
    }
  }

  private void poke(ClusterScope scope) {
    propagate(ResourceID.fromResource(scope));
  }

  private void propagate(ResourceID id) {
    if (related.isRunning()) {
      related.propagateEvent(id);
    }
  }

  @Override
  public UpdateControl<ClusterScope> reconcile(ClusterScope scope, Context<ClusterScope> context) {
    Optional<ClusterRef> ref = clusterRef(scope);
    boolean clusterExists =
        ref.isPresent() && watched.clusterExists(ref.get().getNamespace(), ref.get().getName());
    ScopeValidation validation =
        ClusterScopeValidator.validate(
            scope.getSpec(), new ClusterFacts(watched.clusterApiInstalled(), clusterExists));

    ClusterScopeStatus previous = scope.getStatus();
    ClusterScopeStatus next = copy(previous);
    Long generation = scope.getMetadata().getGeneration();
    next.setObservedGeneration(generation);
    next.setCluster(ClusterScopeValidator.clusterDisplay(scope.getSpec()));
    next.setConditions(
        conditions.with(
            next.getConditions(),
            ClusterScope.READY,
            validation.valid(),
            validation.reason(),
            validation.message(),
            generation));
    ScopeReport.Report held = report.report(scope, next.getSuspended());
    next.setSuspended(held.rows());
    next.setApprovals(held.approvals());
    next.setSuspendedCount(held.rows().size());
    next.setInventory(held.inventory());

    if (tree(previous).equals(tree(next))) {
      return UpdateControl.noUpdate();
    }
    if (!sameReady(previous, next)) {
      LOG.info(
          "ClusterScope {}: Ready={} reason={}: {}",
          scope.getMetadata().getName(),
          validation.valid(),
          validation.reason(),
          validation.message());
    }
    PrimaryUpdateAndCacheUtils.updateStatusAndCacheResource(
        scope,
        context,
        fresh -> {
          fresh.setStatus(next);
          return fresh;
        });
    return UpdateControl.noUpdate();
  }

  private static boolean sameReady(ClusterScopeStatus previous, ClusterScopeStatus next) {
    if (previous == null) {
      return false;
    }
    return previous.getConditions().stream()
        .filter(c -> ClusterScope.READY.equals(c.getType()))
        .findFirst()
        .map(
            c ->
                next.getConditions().stream()
                    .anyMatch(
                        n ->
                            ClusterScope.READY.equals(n.getType())
                                && n.getStatus().equals(c.getStatus())
                                && n.getMessage().equals(c.getMessage())))
        .orElse(false);
  }

  private static Optional<ClusterRef> clusterRef(ClusterScope scope) {
    if (scope.getSpec() == null || scope.getSpec().getCluster() == null) {
      return Optional.empty();
    }
    ClusterRef ref = scope.getSpec().getCluster().getClusterRef();
    return ref == null || ref.getName() == null || ref.getNamespace() == null
        ? Optional.empty()
        : Optional.of(ref);
  }

  private static ClusterScopeStatus copy(ClusterScopeStatus status) {
    return status == null
        ? new ClusterScopeStatus()
        : JsonMapping.MAPPER.convertValue(status, ClusterScopeStatus.class);
  }

  private static JsonNode tree(ClusterScopeStatus status) {
    return JsonMapping.MAPPER.valueToTree(status == null ? new ClusterScopeStatus() : status);
  }
}
