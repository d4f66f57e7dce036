package io.nip.backpressure;

import io.nip.backpressure.internal.TokenBucket;
import io.nip.errors.ConfigurationException;
import io.nip.time.NipClock;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A token bucket: at most {@code maxRate} records per second on average, with bursts of up to
 * {@code burstSize} records at once (the tutorial's {@code RateLimiter(max_rate, burst_size)}).
 * The bucket starts full and refills at {@code maxRate} tokens per second on the pipeline's clock
 * ({@code PipelineConfig.clock}), so rates and bursts are exact on virtual time too. While records
 * wait for tokens in a pipeline, the tokens that accrue are theirs whenever the runtime looks (not
 * capped at the burst): the count admitted over any span is {@code maxRate} times the span plus at
 * most the burst, however seldom the waiting tasks are run.
 *
 * <p>In a pipeline, a record that finds no token waits; it is never dropped. The task that holds
 * it yields its worker thread to other tasks (no thread sleeps, no spinning) and reads nothing more
 * from its source until the token comes, so backpressure reaches the source: with the default
 * {@link BackpressureStrategy#BLOCK} a Kafka source pauses its partitions.
 *
 * <pre>{@code
 * RateLimiter limiter = new RateLimiter(1000, 100);        // 1,000 events/s, bursts of 100
 * pipeline.from(source).rateLimit(limiter).map(this::process).to(sink);
 * pipeline.from(source).map(limiter.throttle(this::process)).to(sink);   // the same
 * }</pre>
 *
 * <p>One limiter object is one bucket: every operator and every task that uses it shares the
 * rate (several source partitions or keyed tasks together get {@code maxRate}, not each of them).
 * Give each pipeline its own limiter unless they are meant to share a budget. Thread-safe.
 */
public final class RateLimiter {
  /** The smallest rate, events per second: rates are kept to a thousandth of an event per second. */
  public static final double MIN_RATE = 0.001;
  /** The largest rate, events per second. */
  public static final double MAX_RATE = 1e9;
  private final int burstSize;
  private final TokenBucket bucket;
  private volatile double rate;

  /**
   * @param maxRate the sustained rate in events per second, {@value #MIN_RATE} to 1e9; rates with
   *     up to three decimals are exact
   * @param burstSize how many records may pass at once after a quiet period, 1 to 1,000,000
   * @throws ConfigurationException naming {@code maxRate} or {@code burstSize} when out of range
   */
  public RateLimiter(double maxRate, int burstSize) {
    this.rate = checkRate("maxRate", maxRate);
    if (burstSize < 1 || burstSize > 1_000_000) {
      throw ConfigurationException.invalid("burstSize", burstSize, "must be between 1 and 1000000");
    }
    this.burstSize = burstSize;
    this.bucket = new TokenBucket(maxRate, burstSize);
  }

  /**
   * @param maxRate events per second
   * @param burstSize records at once
   * @return a new limiter, see {@link #RateLimiter(double, int)}
   */
  public static RateLimiter of(double maxRate, int burstSize) {
    return new RateLimiter(maxRate, burstSize);
  }

  static double checkRate(String setting, double rate) {
    if (!(rate >= MIN_RATE && rate <= MAX_RATE)) {
      throw ConfigurationException.invalid(setting, rate, "must be between " + MIN_RATE + " and " + MAX_RATE
          + " events per second");
    }
    return rate;
  }

  /** @return the current sustained rate, events per second */
  public double maxRate() {
    return rate;
  }

  /** @return the bucket's size, records */
  public int burstSize() {
    return burstSize;
  }

  /**
   * Changes the sustained rate (what {@link DynamicThrottler} does); it applies from the next
   * token asked for, the time until then being credited at the old rate.
   *
   * @param maxRate events per second, {@value #MIN_RATE} to 1e9
   */
  void setRate(double maxRate) {
    bucket.setRate(checkRate("maxRate", maxRate));
    this.rate = maxRate;
  }

  /**
   * Takes a token if one is available; never waits.
   *
   * @param clock the clock the limiter runs on (the pipeline's, when it is also used in one)
   * @return true when a token was taken
   */
  public boolean tryAcquire(NipClock clock) {
    return bucket.tryAcquire(clock.millis());
  }

  /**
   * For the runtime: takes a token for a record that has been waiting since the previous look (the
   * time since is credited without the burst cap: the record would have taken each token as it
   * came).
   *
   * @param nowMillis the pipeline clock, epoch millis
   * @return true when a token was taken
   */
  public boolean tryAcquireWaiting(long nowMillis) {
    return bucket.tryAcquire(nowMillis, true);
  }

  /**
   * For the runtime (a pipeline's rate-limit operator): a task starts holding records at this
   * limiter. Each call must be matched by one {@link #stopWaiting()}; an unmatched one leaves the
   * bucket uncapped.
   */
  public void startWaiting() {
    bucket.startWaiting();
  }

  /**
   * For the runtime: that task holds nothing any more. Once no task waits, the bucket is capped at
   * the burst again.
   */
  public void stopWaiting() {
    bucket.stopWaiting();
  }

  /**
   * @param clock the clock the limiter runs on
   * @return the whole tokens available now: at most {@link #burstSize()} when no record waits at
   *     this limiter; while records wait, what accrued for them since they were last looked at
   */
  public long availableTokens(NipClock clock) {
    return bucket.available(clock.millis());
  }

  /**
   * Wraps a handler, like the tutorial's {@code @rate_limiter.throttle} decorator. Given to
   * {@code Stream.map}, the pipeline runs the handler behind this limiter: records wait for a
   * token as with {@code rateLimit(this)} followed by {@code map(handler)}. Called directly,
   * outside a pipeline, it runs the handler when a token is available on the system clock and
   * otherwise throws {@link RateLimitExceededException} (it never waits).
   *
   * <pre>{@code
   * stream.map(limiter.throttle(event -> enrich(event)));
   * }</pre>
   *
   * @param handler the function to limit
   * @param <T> its input
   * @param <R> its result
   * @return the throttled function
   */
  public <T, R> Throttled<T, R> throttle(Function<? super T, ? extends R> handler) {
    return new Throttled<>(this, Objects.requireNonNull(handler, "handler"));
  }

  /**
   * Like {@link #throttle(Function)} for a handler without a result; given to {@code Stream.peek}
   * it runs behind this limiter.
   *
   * @param handler the action to limit
   * @param <T> its input
   * @return the throttled action
   */
  public <T> Throttled.Action<T> throttleEach(Consumer<? super T> handler) {
    return new Throttled.Action<>(this, Objects.requireNonNull(handler, "handler"));
  }

  @Override
  public String toString() {
    return "RateLimiter(maxRate=" + rate + "/s, burstSize=" + burstSize + ")";
  }
}
