package io.nip.monitoring.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.nip.monitoring.AlertChannel;
import io.nip.monitoring.AlertDeliveryException;
import io.nip.monitoring.AlertNotification;
import io.nip.time.NipClock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The notifications waiting for one alert channel, with their retries.
 *
 * <p>Why a queue per channel: a channel that is slow or down must hold up neither the other
 * channels nor the thread that evaluates the alerts (nor a pipeline that calls it). Each channel's
 * sends run on its own executor (a daemon thread, or the caller's thread when the manager delivers
 * synchronously), and a failed send is not retried by sleeping but by giving it a due time: {@link
 * #pump()}, called on every evaluation and every tick of the manager, starts the sends that are due
 * by the manager's clock. So backoff runs on virtual time in tests.
 *
 * <p>Invariants: notifications leave in the order they were queued (a RESOLVED never overtakes its
 * FIRING): while the head waits for its retry, the ones behind it wait too. At most one send of a
 * channel runs at a time ({@code busy}). Attempt n (from 1) that fails retryably is tried again after
 * {@code initialBackoff * 2^(n-1)}, capped at {@code maxBackoff}, until {@code maxAttempts}; then the
 * notification is dropped, logged (without secrets) and counted in {@code nip.alerts.failed}. The
 * queue holds at most {@link #CAPACITY} notifications; beyond that the oldest is dropped and counted
 * likewise. Thread-safe: the deque and {@code busy} are guarded by {@code this}.
 */
public final class ChannelQueue {
  /** Most notifications waiting for one channel. */
  public static final int CAPACITY = 1_000;
  private static final Logger LOG = LoggerFactory.getLogger(ChannelQueue.class);

  /**
   * How failed sends are retried.
   *
   * @param maxAttempts attempts per notification, the first included (1 = no retry)
   * @param initialBackoff wait before the second attempt
   * @param maxBackoff longest wait between two attempts
   */
  public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
    /**
     * @param failedAttempt the attempt that just failed, from 1
     * @return how long to wait before the next one
     */
    public Duration backoff(int failedAttempt) {
      long millis = initialBackoff.toMillis();
      for (int i = 1; i < failedAttempt && millis < maxBackoff.toMillis(); i++) {
        millis *= 2;
      }
      return Duration.ofMillis(Math.min(millis, maxBackoff.toMillis()));
    }
  }

  private static final class Pending {
    final AlertNotification notification;
    int attempt = 1;
    long dueMillis;

    Pending(AlertNotification notification, long dueMillis) {
      this.notification = notification;
      this.dueMillis = dueMillis;
    }
  }

  private final String manager;
  private final AlertChannel channel;
  private final NipClock clock;
  private final RetryPolicy retry;
  private final Executor executor;
  private final Counter sent;
  private final Counter retries;
  private final Counter failed;
  private final ArrayDeque<Pending> pending = new ArrayDeque<>();
  private boolean busy;

  /**
   * @param manager the manager's name (tags and log lines)
   * @param channel the channel
   * @param clock the manager's clock: due times and backoff
   * @param retry the retry policy
   * @param executor where sends run ({@code Runnable::run} for the caller's thread)
   * @param registry receives {@code nip.alerts.sent}, {@code nip.alerts.retries} and {@code
   *     nip.alerts.failed}, tagged with manager and channel
   */
  public ChannelQueue(String manager, AlertChannel channel, NipClock clock, RetryPolicy retry, Executor executor,
      MeterRegistry registry) {
    this.manager = manager;
    this.channel = channel;
    this.clock = clock;
    this.retry = retry;
    this.executor = executor;
    this.sent = counter(registry, "nip.alerts.sent", "notifications delivered");
    this.retries = counter(registry, "nip.alerts.retries", "failed attempts that were tried again");
    this.failed = counter(registry, "nip.alerts.failed", "notifications given up after their last attempt");
  }

  private Counter counter(MeterRegistry registry, String name, String description) {
    return Counter.builder(name).description(description).tag("manager", manager).tag("channel", channel.name())
        .register(registry);
  }

  /**
   * Queues a notification, due now, and starts sending when the channel is idle.
   *
   * @param notification what to send
   */
  public void enqueue(AlertNotification notification) {
    synchronized (this) {
      if (pending.size() >= CAPACITY) {
        Pending dropped = pending.pollFirst();
        giveUp(dropped, "the channel's queue is full (" + CAPACITY + " notifications)");
      }
      pending.addLast(new Pending(notification, clock.millis()));
    }
    pump();
  }

  /** Starts sending when the channel is idle and its oldest notification is due. */
  public void pump() {
    synchronized (this) {
      if (busy || dueHead() == null) {
        return;
      }
      busy = true;
    }
    try {
      executor.execute(this::drain);
    } catch (RuntimeException e) { // a closed executor: the manager is closing
      synchronized (this) {
        busy = false;
      }
    }
  }

  /** @return the notifications waiting (for their first attempt or a retry) */
  public synchronized int size() {
    return pending.size();
  }

  private Pending dueHead() {
    Pending head = pending.peekFirst();
    return head != null && head.dueMillis <= clock.millis() ? head : null;
  }

  private void drain() {
    while (true) {
      Pending head;
      synchronized (this) {
        head = dueHead();
        if (head == null) {
          busy = false;
          return;
        }
      }
      Failure failure = attempt(head.notification);
      synchronized (this) {
        if (failure == null) {
          pending.remove(head);
          sent.increment();
        } else if (failure.retryable() && head.attempt < retry.maxAttempts()) {
          Duration wait = retry.backoff(head.attempt);
          LOG.debug("alerts '{}': channel '{}' failed attempt {} of {} for '{}', next in {}: {}", manager,
              channel.name(), head.attempt, retry.maxAttempts(), head.notification.alert(), wait, failure.message());
          head.attempt++;
          head.dueMillis = clock.millis() + wait.toMillis();
          retries.increment();
        } else {
          pending.remove(head);
          giveUp(head, failure.message());
        }
      }
    }
  }

  /** Why an attempt failed; the message is free of secrets. */
  private record Failure(boolean retryable, String message) {}

  /** @return null when delivered */
  private Failure attempt(AlertNotification n) {
    try {
      channel.send(n);
      return null;
    } catch (AlertDeliveryException e) {
      return new Failure(e.retryable(), e.getMessage());
    } catch (RuntimeException e) { // an application's channel: its message may quote anything
      return new Failure(true, e.getClass().getName());
    }
  }

  private void giveUp(Pending p, String why) {
    failed.increment();
    LOG.warn("alerts '{}': channel '{}' gave up {} notification of '{}' after {} attempt(s): {}", manager,
        channel.name(), p.notification.status(), p.notification.alert(), p.attempt, why);
  }
}
