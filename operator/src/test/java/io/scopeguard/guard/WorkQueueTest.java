package io.scopeguard.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;

class WorkQueueTest {

  @Test
  void aKeyQueuedWhileRunningRunsOnceMoreAndNeverConcurrently() throws Exception {
    CountDownLatch firstStarted = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger concurrent = new AtomicInteger();
    List<Integer> seenConcurrency = new CopyOnWriteArrayList<>();
    AtomicInteger runs = new AtomicInteger();
    try (WorkQueue<String> queue =
        new WorkQueue<>(
            "test",
            4,
            (key, first) -> {
              seenConcurrency.add(concurrent.incrementAndGet());
              if (runs.incrementAndGet() == 1) {
                firstStarted.countDown();
                release.await(5, TimeUnit.SECONDS);
              }
              concurrent.decrementAndGet();
            })) {
      queue.start();
      queue.enqueue("a");
      assertThat(firstStarted.await(5, TimeUnit.SECONDS)).isTrue();
      queue.enqueue("a");
      queue.enqueue("a");
      queue.enqueue("a");
      release.countDown();

      await().atMost(Duration.ofSeconds(5)).until(queue::idle);
      assertThat(runs).hasValue(2);
      assertThat(seenConcurrency).containsOnly(1);
    }
  }

  @Test
  void aFailureIsRetriedWithBackoff() {
    AtomicInteger attempts = new AtomicInteger();
    try (WorkQueue<String> queue =
        new WorkQueue<>(
            "test",
            1,
            (key, first) -> {
              if (attempts.incrementAndGet() < 3) {
                throw new IllegalStateException("409 Conflict");
              }
            })) {
      queue.start();
      queue.enqueue("a");

      await().atMost(Duration.ofSeconds(5)).untilAtomic(attempts, Matchers.equalTo(3));
      await().atMost(Duration.ofSeconds(5)).until(queue::idle);
    }
  }

  @Test
  void nothingIsHandledBeforeStartAndEachKeyQueuedMeanwhileOnceAfter() throws Exception {
    List<String> handled = new CopyOnWriteArrayList<>();
    try (WorkQueue<String> queue = new WorkQueue<>("test", 2, (key, first) -> handled.add(key))) {
      queue.enqueue("a");
      queue.enqueue("b");
      queue.enqueue("a");
      Thread.sleep(200);
      assertThat(handled).isEmpty();
      assertThat(queue.waiting()).isEqualTo(2);
      assertThat(queue.idle()).isFalse();

      queue.start();

      await().atMost(Duration.ofSeconds(5)).until(queue::idle);
      assertThat(handled).containsExactlyInAnyOrder("a", "b");
    }
  }
}
