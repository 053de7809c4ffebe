package io.scopeguard.guard;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A keyed work queue: a key queued many times is handled once, never by two workers at a time, and
 * again after its handling ends if it was queued meanwhile. A failure is retried with exponential
 * backoff (100 ms doubling, up to 1 min). Nothing is handled before {@link #start()}: keys queued
 * until then wait (once each), so a replica that is not the leader keeps track of what changed
 * without acting on it.
 */
public final class WorkQueue<K> implements AutoCloseable {

  /**
   * Handles one key; {@code firstQueued} is when the key was first queued since its last handling.
   */
  public interface Handler<K> {
    void handle(K key, Instant firstQueued) throws Exception;
  }

  private static final Logger LOG = LoggerFactory.getLogger(WorkQueue.class);
  private static final Duration MAX_BACKOFF = Duration.ofMinutes(1);

  private final Handler<K> handler;
  private final ExecutorService workers;
  private final ScheduledExecutorService retries;
  private final Map<K, Instant> waiting = new HashMap<>();
  private final Set<K> running = new HashSet<>();
  private final Map<K, Integer> failures = new ConcurrentHashMap<>();
  private final Map<K, Instant> retrying = new ConcurrentHashMap<>();
  private boolean started;

  public WorkQueue(String name, int threads, Handler<K> handler) {
    this.handler = handler;
    this.workers = Executors.newFixedThreadPool(threads, daemon(name));
    this.retries = Executors.newSingleThreadScheduledExecutor(daemon(name + "-retry"));
  }

  private static ThreadFactory daemon(String name) {
    return runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    };
  }

  public void enqueue(K key) {
    synchronized (this) {
      Instant first = retrying.remove(key);
      if (waiting.putIfAbsent(key, first != null ? first : Instant.now()) != null
          || running.contains(key)
          || !started) {
        return;
      }
    }
    submit(key);
  }

  /** Queues a key after {@code delay}, unless this queue stopped by then. */
  public void enqueueAfter(K key, Duration delay) {
    if (!retries.isShutdown()) {
      retries.schedule(() -> enqueue(key), delay.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** Starts handling keys; those queued before are handled now, as if queued now. Idempotent. */
  public void start() {
    List<K> queued;
    synchronized (this) {
      if (started) {
        return;
      }
      started = true;
      Instant now = Instant.now();
      waiting.replaceAll((key, first) -> now);
      queued = List.copyOf(waiting.keySet());
    }
    queued.forEach(this::submit);
  }

  /**
   * Stops handling at once: nothing queued runs, handlers in progress are interrupted. For a
   * replica that is no longer the leader, whose backlog belongs to the new one. Final.
   */
  public void stop() {
    synchronized (this) {
      started = false;
      waiting.clear();
    }
    retries.shutdownNow();
    workers.shutdownNow();
  }

  /** How many keys wait to be handled. */
  public synchronized int waiting() {
    return waiting.size();
  }

  private void submit(K key) {
    if (!workers.isShutdown()) {
      workers.execute(() -> handle(key));
    }
  }

  private void handle(K key) {
    Instant firstQueued;
    synchronized (this) {
      firstQueued = waiting.remove(key);
      running.add(key);
    }
    try {
      handler.handle(key, firstQueued == null ? Instant.now() : firstQueued);
      failures.remove(key);
    } catch (Exception e) {
      int attempt = failures.merge(key, 1, Integer::sum);
      long delay = Math.min(MAX_BACKOFF.toMillis(), 100L << Math.min(attempt - 1, 20));
      LOG.warn(
          "{}: handling failed (attempt {}), retrying in {} ms: {}",
          key,
          attempt,
          delay,
          e.toString());
      if (!retries.isShutdown()) {
        retrying.putIfAbsent(key, firstQueued == null ? Instant.now() : firstQueued);
        retries.schedule(() -> enqueue(key), delay, TimeUnit.MILLISECONDS);
      }
    } finally {
      boolean again;
      synchronized (this) {
        running.remove(key);
        again = waiting.containsKey(key);
      }
      if (again) {
        submit(key);
      }
    }
  }

  /** Whether nothing is waiting or running (for tests and benchmarks). */
  public synchronized boolean idle() {
    return waiting.isEmpty() && running.isEmpty() && retrying.isEmpty();
  }

  @Override
  public void close() {
    retries.shutdownNow();
    workers.shutdown();
    try {
      if (!workers.awaitTermination(10, TimeUnit.SECONDS)) {
        workers.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      workers.shutdownNow();
    }
  }
}
