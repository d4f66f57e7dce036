package io.nip.window;

import java.time.Duration;

/**
 * When a window emits speculative results before it closes. The final result always follows.
 *
 * <pre>{@code
 * keyed.window(TumblingWindow.of(Duration.ofHours(1))).emitEarly(EarlyEmit.every(Duration.ofMinutes(1)))
 * }</pre>
 *
 * @param onEveryUpdate emit after every event that changes the window
 * @param interval emit every interval of processing time while the window changed; null if unused
 */
public record EarlyEmit(boolean onEveryUpdate, Duration interval) {

  /** @return emit after every update */
  public static EarlyEmit perUpdate() {
    return new EarlyEmit(true, null);
  }

  /**
   * @param interval processing time between speculative results
   * @return the policy
   */
  public static EarlyEmit every(Duration interval) {
    return new EarlyEmit(false, WindowAssigner.positive("emitEarly.interval", interval));
  }
}
