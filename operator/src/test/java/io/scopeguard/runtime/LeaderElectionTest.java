package io.scopeguard.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.scopeguard.api.ClusterScope;
import io.scopeguard.api.ClusterTarget;
import io.scopeguard.approval.Annotations;
import io.scopeguard.testkit.EmbeddedKubernetes;
import io.scopeguard.testkit.FluxObjects;
import io.scopeguard.testkit.Identities;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two replicas on one API: one leads and reconciles, the other follows, stays ready and serves
 * admission; a leader that shuts down hands over at once; a leader whose Lease is taken stops.
 */
class LeaderElectionTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String NAMESPACE = "scopeguard-system";

  private final EmbeddedKubernetes api = EmbeddedKubernetes.start();
  private final List<ScopeguardOperator> replicas = new ArrayList<>();

  @AfterEach
  void stop() {
    replicas.forEach(ScopeguardOperator::close);
    api.close();
  }

  private ScopeguardOperator replica(String identity, Runnable lostLeadership) {
    OperatorSettings settings =
        OperatorSettings.embedded()
            .withWebhook(OperatorSettings.Webhook.onLoopback())
            .withLeaderElection(
                OperatorSettings.LeaderElection.on("scopeguard-leader", identity)
                    .withTimings(
                        Duration.ofSeconds(10), Duration.ofSeconds(7), Duration.ofMillis(250)));
    ScopeguardOperator replica =
        ScopeguardOperator.start(
            api.clientAs(Identities.SCOPEGUARD), settings, Clock.systemUTC(), lostLeadership);
    replicas.add(replica);
    return replica;
  }

  private KubernetesClient client() {
    return api.client();
  }

  private Lease lease() {
    return client().leases().inNamespace(NAMESPACE).withName("scopeguard-leader").get();
  }

  private GenericKubernetesResource unscoped(String name) {
    return client().resource(FluxObjects.kustomization("apps", name, null, null, "repo")).create();
  }

  /**
   * A Kustomization within its scope, whose scope is then deleted: only the guard loop (the
   * leader's) can hold it then, since no write to it passes admission.
   */
  private void scopedThenScopeDeleted(String name, Runnable between) {
    ClusterScope scope = new ClusterScope();
    scope.getMetadata().setName(name + "-scope");
    scope.getSpec().setCluster(ClusterTarget.local());
    client().resource(scope).create();
    await()
        .atMost(WAIT)
        .until(
            () -> replicas.stream().allMatch(r -> r.watched().scope(name + "-scope").isPresent()));
    client()
        .resource(FluxObjects.kustomization("apps", name, name + "-scope", null, "repo"))
        .create();
    await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> !held(name));
    between.run();
    client().resource(scope).delete();
  }

  private boolean held(String name) {
    GenericKubernetesResource resource =
        client()
            .genericKubernetesResources("kustomize.toolkit.fluxcd.io/v1", "Kustomization")
            .inNamespace("apps")
            .withName(name)
            .get();
    return resource != null
        && resource.getMetadata().getAnnotations() != null
        && resource.getMetadata().getAnnotations().containsKey(Annotations.SUSPENDED_REASON);
  }

  private static int readyz(ScopeguardOperator replica) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + replica.httpPort() + "/readyz"))
                .build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  @Test
  void theLeaderReconcilesTheFollowerServesAndTakesOverWhenTheLeaderStops() throws Exception {
    ScopeguardOperator first = replica("scopeguard-a", () -> {});
    await().atMost(WAIT).until(first::leading);
    ScopeguardOperator second = replica("scopeguard-b", () -> {});

    unscoped("one");
    await().atMost(WAIT).until(() -> held("one"));
    assertThat(lease().getSpec().getHolderIdentity()).isEqualTo("scopeguard-a");
    assertThat(second.leading()).isFalse();
    assertThat(readyz(second)).as("a follower is ready: it serves admission").isEqualTo(200);
    assertThat(second.webhook()).isPresent();
    assertThat(first.metrics().scrape())
        .contains("scopeguard_leader 1.0")
        .contains("scopeguard_suspended{");
    assertThat(second.metrics().scrape())
        .contains("scopeguard_leader 0.0")
        .doesNotContain("scopeguard_suspended{");

    first.close();
    await("taken over well within the 10 s lease: it was released on shutdown")
        .atMost(Duration.ofSeconds(3))
        .until(second::leading);
    assertThat(lease().getSpec().getHolderIdentity()).isEqualTo("scopeguard-b");

    unscoped("two");
    await().atMost(WAIT).until(() -> held("two"));
    assertThat(second.metrics().scrape())
        .contains("scopeguard_leader 1.0")
        .contains("name=\"one\"")
        .contains("name=\"two\"");
  }

  @Test
  void aLeaderWhoseLeaseIsTakenStopsReconciling() throws Exception {
    CountDownLatch lost = new CountDownLatch(1);
    ScopeguardOperator leader = replica("scopeguard-a", lost::countDown);
    await().atMost(WAIT).until(leader::leading);

    await("the Lease taken by another operator (retried while the leader renews it)")
        .atMost(WAIT)
        .ignoreExceptions()
        .until(
            () -> {
              Lease lease = lease();
              lease.getSpec().setHolderIdentity("another-operator");
              lease.getSpec().setRenewTime(ZonedDateTime.now());
              lease.getSpec().setLeaseDurationSeconds(60);
              client().leases().inNamespace(NAMESPACE).resource(lease).update();
              return true;
            });

    assertThat(lost.await(10, TimeUnit.SECONDS)).as("lost-leadership action ran").isTrue();
    assertThat(leader.leading()).isFalse();
    assertThat(leader.metrics().scrape()).contains("scopeguard_leader 0.0");

    scopedThenScopeDeleted("after-losing", () -> {});
    await("the guard stopped at once, though the process still runs")
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(3))
        .until(() -> !held("after-losing"));
    unscoped("born-unscoped");
    assertThat(held("born-unscoped"))
        .as("admission holds on every replica, leading or not")
        .isTrue();
  }

  @Test
  void aFollowerActsOnWhatChangedWhileItFollowed() throws Exception {
    Lease foreign =
        new LeaseBuilder()
            .withNewMetadata()
            .withNamespace(NAMESPACE)
            .withName("scopeguard-leader")
            .endMetadata()
            .withNewSpec()
            .withHolderIdentity("previous-pod")
            .withLeaseDurationSeconds(6)
            .withRenewTime(ZonedDateTime.now())
            .withAcquireTime(ZonedDateTime.now())
            .endSpec()
            .build();
    client().leases().inNamespace(NAMESPACE).resource(foreign).create();
    ScopeguardOperator follower = replica("scopeguard-b", () -> {});
    scopedThenScopeDeleted("while-following", () -> {});

    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(2))
        .until(() -> !held("while-following"));
    assertThat(follower.leading()).isFalse();

    await().atMost(WAIT).until(follower::leading);
    await().atMost(WAIT).until(() -> held("while-following"));
  }
}
