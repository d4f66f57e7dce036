package io.nip.backpressure;

import io.nip.time.NipClock;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A handler wrapped by {@link RateLimiter#throttle(Function)}: {@code Stream.map} recognises it
 * and runs {@link #handler()} behind {@link #limiter()} (records wait for tokens, the source
 * pauses). Called directly it never waits: it runs the handler when a token is available on the
 * system clock, else throws {@link RateLimitExceededException}.
 *
 * <pre>{@code
 * stream.map(limiter.throttle(this::process));
 * }</pre>
 *
 * @param <T> the handler's input
 * @param <R> its result
 */
public final class Throttled<T, R> implements Function<T, R> {
  private final RateLimiter limiter;
  private final Function<? super T, ? extends R> handler;

  Throttled(RateLimiter limiter, Function<? super T, ? extends R> handler) {
    this.limiter = limiter;
    this.handler = handler;
  }

  /** @return the limiter in front of the handler */
  public RateLimiter limiter() {
    return limiter;
  }

  /** @return the wrapped handler */
  public Function<? super T, ? extends R> handler() {
    return handler;
  }

  /**
   * @param value the input
   * @return the handler's result
   * @throws RateLimitExceededException when no token is available now (system clock)
   */
  @Override
  public R apply(T value) {
    if (!limiter.tryAcquire(NipClock.system())) {
      throw new RateLimitExceededException(limiter);
    }
    return handler.apply(value);
  }

  /**
   * A consumer wrapped by {@link RateLimiter#throttleEach(Consumer)}; {@code Stream.peek} runs it
   * behind its limiter. Called directly it behaves like {@link Throttled#apply}.
   *
   * @param <T> the handler's input
   */
  public static final class Action<T> implements Consumer<T> {
    private final RateLimiter limiter;
    private final Consumer<? super T> handler;

    Action(RateLimiter limiter, Consumer<? super T> handler) {
      this.limiter = limiter;
      this.handler = handler;
    }

    /** @return the limiter in front of the handler */
    public RateLimiter limiter() {
      return limiter;
    }

    /** @return the wrapped handler */
    public Consumer<? super T> handler() {
      return handler;
    }

    /**
     * @param value the input
     * @throws RateLimitExceededException when no token is available now (system clock)
     */
    @Override
    public void accept(T value) {
      if (!limiter.tryAcquire(NipClock.system())) {
        throw new RateLimitExceededException(limiter);
      }
      handler.accept(value);
    }
  }
}
