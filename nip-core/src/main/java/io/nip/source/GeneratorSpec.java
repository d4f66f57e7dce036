package io.nip.source;

import io.nip.errors.ConfigurationException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Settings of the synthetic event generator ({@link Sources#generator}): how many events, how
 * fast, over how many keys, with which seed. The same settings always give the same events, and a
 * partition restarted from a position continues with exactly the events it would have produced.
 *
 * <pre>{@code
 * GeneratorSpec spec = GeneratorSpec.builder().events(1_000_000).keys(10_000).seed(42)
 *     .ratePerSecond(50_000).botRatio(0.05).build();
 * }</pre>
 *
 * @param events total events over all partitions; 0 for an endless stream
 * @param ratePerSecond events per second over all partitions; 0 for as fast as possible
 * @param keys distinct keys ({@code user_0 .. user_{keys-1}})
 * @param seed the random seed
 * @param partitions partitions of the source
 * @param startTime event time of the first event
 * @param timeStep average event-time distance between consecutive events of a partition
 * @param maxDisorder events may be this much earlier than their slot (bounded out-of-orderness)
 * @param botRatio fraction of events whose key starts with {@code bot_}
 * @param eventTypes event types to draw from
 */
public record GeneratorSpec(
    long events,
    long ratePerSecond,
    int keys,
    long seed,
    int partitions,
    Instant startTime,
    Duration timeStep,
    Duration maxDisorder,
    double botRatio,
    List<String> eventTypes) {

  /** The tutorial's event types. */
  public static final List<String> DEFAULT_EVENT_TYPES = List.of(
      "page_view", "click", "search", "add_to_cart", "view_checkout", "purchase", "signup", "logout");

  /** Validates every setting. */
  public GeneratorSpec {
    if (events < 0) {
      throw ConfigurationException.invalid("generator.events", events, "must not be negative");
    }
    if (ratePerSecond < 0) {
      throw ConfigurationException.invalid("generator.ratePerSecond", ratePerSecond, "must not be negative");
    }
    if (keys < 1) {
      throw ConfigurationException.invalid("generator.keys", keys, "must be at least 1");
    }
    if (partitions < 1 || partitions > 1024) {
      throw ConfigurationException.invalid("generator.partitions", partitions, "must be between 1 and 1024");
    }
    Objects.requireNonNull(startTime, "startTime");
    Objects.requireNonNull(timeStep, "timeStep");
    Objects.requireNonNull(maxDisorder, "maxDisorder");
    if (timeStep.isNegative() || maxDisorder.isNegative()) {
      throw ConfigurationException.invalid("generator.timeStep/maxDisorder", timeStep + "/" + maxDisorder,
          "must not be negative");
    }
    if (botRatio < 0 || botRatio > 1) {
      throw ConfigurationException.invalid("generator.botRatio", botRatio, "must be between 0 and 1");
    }
    eventTypes = List.copyOf(eventTypes);
    if (eventTypes.isEmpty()) {
      throw ConfigurationException.invalid("generator.eventTypes", eventTypes, "must not be empty");
    }
  }

  /** @return a builder with defaults: 100,000 events, unthrottled, 1,000 keys, seed 42, 1 partition */
  public static Builder builder() {
    return new Builder();
  }

  /** Collects generator settings. */
  public static final class Builder {
    private long events = 100_000;
    private long ratePerSecond;
    private int keys = 1_000;
    private long seed = 42;
    private int partitions = 1;
    private Instant startTime = Instant.parse("2026-01-17T17:00:00Z");
    private Duration timeStep = Duration.ofMillis(10);
    private Duration maxDisorder = Duration.ofSeconds(5);
    private double botRatio;
    private List<String> eventTypes = DEFAULT_EVENT_TYPES;

    private Builder() {}

    /**
     * @param n total events, 0 for endless
     * @return this
     */
    public Builder events(long n) {
      this.events = n;
      return this;
    }

    /**
     * @param rate events per second, 0 for unthrottled
     * @return this
     */
    public Builder ratePerSecond(long rate) {
      this.ratePerSecond = rate;
      return this;
    }

    /**
     * @param n distinct keys
     * @return this
     */
    public Builder keys(int n) {
      this.keys = n;
      return this;
    }

    /**
     * @param s seed
     * @return this
     */
    public Builder seed(long s) {
      this.seed = s;
      return this;
    }

    /**
     * @param n partitions
     * @return this
     */
    public Builder partitions(int n) {
      this.partitions = n;
      return this;
    }

    /**
     * @param t event time of the first event
     * @return this
     */
    public Builder startTime(Instant t) {
      this.startTime = t;
      return this;
    }

    /**
     * @param d event-time step between events of a partition
     * @return this
     */
    public Builder timeStep(Duration d) {
      this.timeStep = d;
      return this;
    }

    /**
     * @param d largest disorder of event time
     * @return this
     */
    public Builder maxDisorder(Duration d) {
      this.maxDisorder = d;
      return this;
    }

    /**
     * @param r fraction of bot events
     * @return this
     */
    public Builder botRatio(double r) {
      this.botRatio = r;
      return this;
    }

    /**
     * @param types event types
     * @return this
     */
    public Builder eventTypes(List<String> types) {
      this.eventTypes = types;
      return this;
    }

    /** @return the validated spec */
    public GeneratorSpec build() {
      return new GeneratorSpec(events, ratePerSecond, keys, seed, partitions, startTime, timeStep, maxDisorder,
          botRatio, eventTypes);
    }
  }
}
