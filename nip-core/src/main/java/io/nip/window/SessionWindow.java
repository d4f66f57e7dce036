package io.nip.window;

import java.time.Duration;

/**
 * Windows of activity per key, closed by a gap of inactivity. An event at {@code t} opens or extends
 * a session to {@code [first, last + gap)}; an event that falls into two sessions merges them (and
 * their aggregates). An event exactly {@code gap} after the last one starts a new session.
 *
 * <pre>{@code
 * keyed.window(SessionWindow.withGap(Duration.ofMinutes(30)))
 * }</pre>
 */
public final class SessionWindow extends WindowAssigner {
  private final Duration gap;

  private SessionWindow(Duration gap) {
    this.gap = gap;
  }

  /**
   * @param gap inactivity that closes a session, at least 1 ms
   * @return the assigner
   */
  public static SessionWindow withGap(Duration gap) {
    return new SessionWindow(positive("window.gap", gap));
  }

  @Override
  public Kind kind() {
    return Kind.SESSION;
  }

  @Override
  public Duration size() {
    return gap;
  }

  @Override
  public Duration slide() {
    return Duration.ZERO;
  }

  @Override
  public String toString() {
    return "SessionWindow(gap " + gap + ")";
  }
}
