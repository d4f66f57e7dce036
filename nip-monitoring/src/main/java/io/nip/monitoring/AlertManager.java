package io.nip.monitoring;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nip.errors.ConfigurationException;
import io.nip.monitoring.internal.AlertState;
import io.nip.monitoring.internal.ChannelQueue;
import io.nip.monitoring.internal.Settings;
import io.nip.time.NipClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The tutorial's {@code AlertManager}: named alerts, each a condition with a severity and a message,
 * evaluated every evaluation interval of the manager's clock and sent to every channel (Slack,
 * e-mail, PagerDuty, webhooks) with per-alert throttling, a RESOLVED notification when a condition
 * clears, and retries with exponential backoff when a channel fails.
 *
 * <pre>{@code
 * AlertManager alerts = AlertManager.builder("streaming_alerts", List.of(slack, email, pagerDuty)).build()
 *     .alert(AlertCondition.unhealthy("consumer_lag", HealthChecks.consumerLag(registry, 1000)),
 *         AlertSeverity.WARNING, "Consumer lag exceeded threshold")
 *     .start();
 * }</pre>
 *
 * <p>Throttling: a FIRING notification of an alert goes out when its condition starts to hold and
 * then at most once per {@code throttleInterval} while it keeps holding (or flaps); a RESOLVED
 * notification goes out once when a notified condition stops holding. Delivery: each channel has its
 * own queue and thread, so a slow or failing channel delays neither the others nor the evaluation; a
 * failed send (I/O error, HTTP 408/429/5xx) is tried again after 1 s, 2 s, 4 s ... (see {@link
 * Builder#retry}); a notification still failing after the last attempt is logged without secrets and
 * counted in {@code nip.alerts.failed{manager, channel}}.
 *
 * <p>Time: evaluations and retries are due by the injected {@link NipClock}. After {@link #start()} a
 * daemon thread calls {@link #runIfDue()} a few times per interval; tests on a {@code ManualClock}
 * call {@link #evaluate()} or {@link #runIfDue()} themselves (with {@link
 * Builder#deliverOnCallerThread(boolean)} the sends happen inside those calls). Thread-safe.
 */
public final class AlertManager implements AutoCloseable {
  private record Alert(AlertCondition condition, AlertSeverity severity, String message, AlertState state) {}

  private final String name;
  private final List<AlertChannel> channels;
  private final Duration evaluationInterval;
  private final Duration throttleInterval;
  private final NipClock clock;
  private final MeterRegistry registry;
  private final Map<String, Alert> alerts = new LinkedHashMap<>();
  private final List<ChannelQueue> queues = new ArrayList<>();
  private final List<ExecutorService> senders = new ArrayList<>();
  private long nextDueMillis = Long.MIN_VALUE;
  private ScheduledExecutorService scheduler;

  private AlertManager(Builder b) {
    this.name = b.name;
    this.channels = List.copyOf(b.channels);
    this.evaluationInterval = b.evaluationInterval;
    this.throttleInterval = b.throttleInterval;
    this.clock = b.clock;
    this.registry = b.registry;
    ChannelQueue.RetryPolicy retry = new ChannelQueue.RetryPolicy(b.maxAttempts, b.initialBackoff, b.maxBackoff);
    for (AlertChannel c : channels) {
      Executor executor = Runnable::run;
      if (!b.deliverOnCallerThread) {
        ExecutorService sender = Executors.newSingleThreadExecutor(r -> {
          Thread t = new Thread(r, "nip-alerts-" + name + "-" + c.name());
          t.setDaemon(true);
          return t;
        });
        senders.add(sender);
        executor = sender;
      }
      queues.add(new ChannelQueue(name, c, clock, retry, executor, registry));
    }
  }

  /**
   * The tutorial's {@code AlertManager(name, channels)}.
   *
   * @param name the manager's name, e.g. {@code "streaming_alerts"}; not blank
   * @param channels where notifications go, at least one, with distinct names
   * @return a builder: evaluation every 30 s, throttle interval 10 min, 5 attempts with backoff from
   *     1 s up to 1 min, the system clock, senders on threads of their own
   * @throws ConfigurationException when the name is blank, or the channels are empty or share a name
   */
  public static Builder builder(String name, List<? extends AlertChannel> channels) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(channels, "channels");
    if (name.isBlank()) {
      throw ConfigurationException.invalid("name", "'" + name + "'", "must not be blank");
    }
    if (channels.isEmpty()) {
      throw new ConfigurationException("channels", "must hold at least one channel");
    }
    Set<String> names = new HashSet<>();
    for (AlertChannel c : channels) {
      Objects.requireNonNull(c, "channels[i]");
      if (!names.add(c.name())) {
        throw ConfigurationException.invalid("channels", c.name(), "must have distinct names; a second channel is named");
      }
    }
    return new Builder(name, channels);
  }

  /**
   * Adds an alert (the tutorial's {@code @alert_manager.alert(condition, severity, message)}).
   *
   * @param condition when it fires; its name names the alert and must be unique in this manager
   * @param severity how urgent it is
   * @param message what the notifications say, e.g. {@code "Consumer lag exceeded threshold"}
   * @return this manager
   * @throws ConfigurationException when an alert of that name exists already, or the message is blank
   */
  public synchronized AlertManager alert(AlertCondition condition, AlertSeverity severity, String message) {
    Objects.requireNonNull(condition, "condition");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(message, "message");
    String alertName = Objects.requireNonNull(condition.name(), "condition.name()");
    if (alertName.isBlank()) {
      throw ConfigurationException.invalid("condition.name", "'" + alertName + "'", "must not be blank");
    }
    if (message.isBlank()) {
      throw ConfigurationException.invalid("message", "'" + message + "'", "must not be blank");
    }
    if (alerts.containsKey(alertName)) {
      throw ConfigurationException.invalid("condition.name", alertName, "must be unique in alert manager '" + name + "'");
    }
    alerts.put(alertName, new Alert(condition, severity, message, new AlertState(throttleInterval)));
    return this;
  }

  /**
   * Evaluates every alert's condition now and queues the notifications that throttling lets through
   * to every channel, then starts the sends that are due.
   *
   * @return the notifications queued by this evaluation, in the order of the alerts
   */
  public synchronized List<AlertNotification> evaluate() {
    long now = clock.millis();
    Instant at = Instant.ofEpochMilli(now);
    List<AlertNotification> out = new ArrayList<>();
    for (Alert a : alerts.values()) {
      AlertCondition.Evaluation e = evaluate(a.condition());
      AlertStatus status = a.state().next(e.firing(), now);
      if (status != null) {
        out.add(new AlertNotification(name, a.condition().name(), status, a.severity(), a.message(), e.detail(), at));
      }
    }
    for (AlertNotification n : out) {
      queues.forEach(q -> q.enqueue(n));
    }
    queues.forEach(ChannelQueue::pump);
    return out;
  }

  private static AlertCondition.Evaluation evaluate(AlertCondition condition) {
    try {
      AlertCondition.Evaluation e = condition.evaluate();
      return e == null ? new AlertCondition.Evaluation(true, "the condition returned no result") : e;
    } catch (RuntimeException e) {
      return new AlertCondition.Evaluation(true, "the condition failed: " + e.getClass().getSimpleName());
    }
  }

  /**
   * Evaluates when an evaluation interval of the clock has passed since the last evaluation here (at
   * once the first time), and in any case starts the retries that are due.
   *
   * @return true when it evaluated
   */
  public synchronized boolean runIfDue() {
    long now = clock.millis();
    if (nextDueMillis != Long.MIN_VALUE && now < nextDueMillis) {
      queues.forEach(ChannelQueue::pump);
      return false;
    }
    nextDueMillis = now + evaluationInterval.toMillis();
    evaluate();
    return true;
  }

  /** @return the names of the alerts whose condition held at the latest evaluation */
  public synchronized Set<String> firing() {
    Set<String> out = new LinkedHashSet<>();
    alerts.forEach((n, a) -> {
      if (a.state().firing()) {
        out.add(n);
      }
    });
    return out;
  }

  /** @return notifications waiting for a channel (for a first attempt or a retry), over all channels */
  public int pendingDeliveries() {
    return queues.stream().mapToInt(ChannelQueue::size).sum();
  }

  /** @return the manager's name */
  public String name() {
    return name;
  }

  /** @return the registry that holds {@code nip.alerts.sent}, {@code .retries} and {@code .failed} */
  public MeterRegistry registry() {
    return registry;
  }

  /**
   * Starts the thread that evaluates every evaluation interval and starts due retries.
   *
   * @return this manager
   * @throws IllegalStateException when already started
   */
  public synchronized AlertManager start() {
    if (scheduler != null) {
      throw new IllegalStateException("alert manager '" + name + "' was already started");
    }
    scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "nip-alerts-" + name);
      t.setDaemon(true);
      return t;
    });
    long poll = Math.max(10, Math.min(1_000, evaluationInterval.toMillis() / 4));
    scheduler.scheduleWithFixedDelay(this::runIfDue, 0, poll, TimeUnit.MILLISECONDS);
    return this;
  }

  /** Stops evaluating and the channels' threads; notifications still waiting are not sent. */
  @Override
  public synchronized void close() {
    if (scheduler != null) {
      scheduler.shutdownNow();
    }
    senders.forEach(ExecutorService::shutdownNow);
  }

  @Override
  public String toString() {
    return "AlertManager[" + name + ", channels=" + channels + ", alerts=" + alerts.keySet() + "]";
  }

  /** Settings of an {@link AlertManager}; every setter validates and names a bad value. */
  public static final class Builder {
    private final String name;
    private final List<? extends AlertChannel> channels;
    private Duration evaluationInterval = Duration.ofSeconds(30);
    private Duration throttleInterval = Duration.ofMinutes(10);
    private int maxAttempts = 5;
    private Duration initialBackoff = Duration.ofSeconds(1);
    private Duration maxBackoff = Duration.ofMinutes(1);
    private NipClock clock = NipClock.system();
    private MeterRegistry registry;
    private boolean deliverOnCallerThread;

    private Builder(String name, List<? extends AlertChannel> channels) {
      this.name = name;
      this.channels = List.copyOf(channels);
    }

    /**
     * @param interval how often the conditions are evaluated after {@link #start()}; at least 1 ms
     * @return this builder
     * @throws ConfigurationException when shorter
     */
    public Builder evaluationInterval(Duration interval) {
      this.evaluationInterval = Settings.atLeast("evaluationInterval", interval, Duration.ofMillis(1));
      return this;
    }

    /**
     * @param interval shortest time between two FIRING notifications of one alert (its repeat
     *     interval while it keeps firing); at least 1 ms
     * @return this builder
     * @throws ConfigurationException when shorter
     */
    public Builder throttleInterval(Duration interval) {
      this.throttleInterval = Settings.atLeast("throttleInterval", interval, Duration.ofMillis(1));
      return this;
    }

    /**
     * How a failed send is retried: attempt n (from 1) that fails is tried again after {@code
     * initialBackoff * 2^(n-1)}, at most {@code maxBackoff}, until {@code maxAttempts} were made.
     *
     * @param maxAttempts attempts per notification and channel, the first included; 1..100
     * @param initialBackoff wait after the first failure; at least 1 ms
     * @param maxBackoff longest wait; not shorter than initialBackoff
     * @return this builder
     * @throws ConfigurationException when a value is out of range
     */
    public Builder retry(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
      if (maxAttempts < 1 || maxAttempts > 100) {
        throw ConfigurationException.invalid("retry.maxAttempts", maxAttempts, "must be within 1..100");
      }
      Settings.atLeast("retry.initialBackoff", initialBackoff, Duration.ofMillis(1));
      Settings.atLeast("retry.maxBackoff", maxBackoff, initialBackoff);
      this.maxAttempts = maxAttempts;
      this.initialBackoff = initialBackoff;
      this.maxBackoff = maxBackoff;
      return this;
    }

    /**
     * @param clock times evaluations, throttling and retries and stamps the notifications; a
     *     pipeline's clock, or a {@code ManualClock} in tests
     * @return this builder
     */
    public Builder clock(NipClock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * @param registry where the delivery counters go, e.g. a {@link MetricsCollector}'s registry;
     *     default a registry of the manager's own
     * @return this builder
     */
    public Builder meterRegistry(MeterRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /**
     * @param onCallerThread true to send on the thread that calls {@link #evaluate()} or {@link
     *     #runIfDue()} (deterministic tests, or an application that runs the manager on a thread it
     *     owns) instead of one thread per channel; default false
     * @return this builder
     */
    public Builder deliverOnCallerThread(boolean onCallerThread) {
      this.deliverOnCallerThread = onCallerThread;
      return this;
    }

    /** @return the manager, not started */
    public AlertManager build() {
      if (registry == null) {
        registry = new SimpleMeterRegistry();
      }
      return new AlertManager(this);
    }
  }
}
