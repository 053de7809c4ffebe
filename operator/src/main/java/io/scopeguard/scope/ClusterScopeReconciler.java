package io.scopeguard.scope;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.GroupVersionKind;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.scopeguard.api.ClusterRef;
import io.scopeguard.api.ClusterScope;
import io.scopeguard.api.ClusterScopeStatus;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles a {@link ClusterScope}: validates what the schema cannot (does the referenced
 * Cluster API Cluster exist?) and writes status, skipping writes that would change nothing.
 */
@ControllerConfiguration(name = ClusterScopeReconciler.NAME)
public class ClusterScopeReconciler implements Reconciler<ClusterScope> {

  public static final String NAME = "clusterscope";
  static final String CLUSTERS_EVENT_SOURCE = "capi-clusters";
  private static final String CLUSTER_REF_INDEX = "clusterRef";
  private static final Logger LOG = LoggerFactory.getLogger(ClusterScopeReconciler.class);

  private final Optional<GroupVersionKind> clusterKind;
  private final ScopeConditions conditions;

  /**
   * @param clusterKind the served Cluster API {@code Cluster} kind, or empty when not installed
   * @param conditions builds the Ready condition
   */
  public ClusterScopeReconciler(Optional<GroupVersionKind> clusterKind, ScopeConditions conditions) {
    this.clusterKind = clusterKind;
    this.conditions = conditions;
  }

  @Override
  public List<EventSource<?, ClusterScope>> prepareEventSources(EventSourceContext<ClusterScope> context) {
    context.getPrimaryCache().addIndexer(CLUSTER_REF_INDEX, scope -> clusterRefKey(scope).map(List::of).orElse(List.of()));
    if (clusterKind.isEmpty()) {
      LOG.info("Cluster API is not installed: ClusterScopes with a clusterRef will report ClusterApiMissing");
      return List.of();
    }
    var clusters = InformerEventSourceConfiguration.from(clusterKind.get(), ClusterScope.class)
        .withName(CLUSTERS_EVENT_SOURCE)
        .withSecondaryToPrimaryMapper((GenericKubernetesResource cluster) ->
            context.getPrimaryCache()
                .byIndex(CLUSTER_REF_INDEX, key(cluster.getMetadata().getNamespace(), cluster.getMetadata().getName()))
                .stream()
                .map(ResourceID::fromResource)
                .collect(Collectors.toSet()))
        .withPrimaryToSecondaryMapper((ClusterScope scope) -> clusterRef(scope)
            .map(ref -> Set.of(new ResourceID(ref.getName(), ref.getNamespace())))
            .orElse(Set.of()))
        .build();
    return List.of(new InformerEventSource<>(clusters, context));
  }

  @Override
  public UpdateControl<ClusterScope> reconcile(ClusterScope scope, Context<ClusterScope> context) {
    boolean clusterExists = clusterKind.isPresent()
        && clusterRef(scope).isPresent()
        && context.getSecondaryResource(GenericKubernetesResource.class, CLUSTERS_EVENT_SOURCE).isPresent();
    ScopeValidation validation =
        ClusterScopeValidator.validate(scope.getSpec(), new ClusterFacts(clusterKind.isPresent(), clusterExists));

    ClusterScopeStatus previous = scope.getStatus();
    ClusterScopeStatus next = copy(previous);
    Long generation = scope.getMetadata().getGeneration();
    next.setObservedGeneration(generation);
    next.setCluster(ClusterScopeValidator.clusterDisplay(scope.getSpec()));
    next.setConditions(conditions.with(next.getConditions(), ClusterScope.READY, validation.valid(),
        validation.reason(), validation.message(), generation));
    next.setSuspendedCount(next.getSuspended().size());

    if (tree(previous).equals(tree(next))) {
      return UpdateControl.noUpdate();
    }
    LOG.info("ClusterScope {}: Ready={} reason={}: {}", scope.getMetadata().getName(),
        validation.valid(), validation.reason(), validation.message());
    scope.setStatus(next);
    return UpdateControl.patchStatus(scope);
  }

  private static Optional<ClusterRef> clusterRef(ClusterScope scope) {
    if (scope.getSpec() == null || scope.getSpec().getCluster() == null) {
      return Optional.empty();
    }
    ClusterRef ref = scope.getSpec().getCluster().getClusterRef();
    return ref == null || ref.getName() == null || ref.getNamespace() == null ? Optional.empty() : Optional.of(ref);
  }

  private static Optional<String> clusterRefKey(ClusterScope scope) {
    return clusterRef(scope).map(ref -> key(ref.getNamespace(), ref.getName()));
  }

  private static String key(String namespace, String name) {
    return namespace + "/" + name;
  }

  private static ClusterScopeStatus copy(ClusterScopeStatus status) {
    return status == null ? new ClusterScopeStatus()
        : Serialization.jsonMapper().convertValue(status, ClusterScopeStatus.class);
  }

  private static JsonNode tree(ClusterScopeStatus status) {
    return Serialization.jsonMapper().valueToTree(status == null ? new ClusterScopeStatus() : status);
  }
}
