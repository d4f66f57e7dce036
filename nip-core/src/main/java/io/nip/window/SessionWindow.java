package io.nip.window;

import java.time.Duration;

/**
 * Windows of activity per key, closed by a gap of inactivity; an event that falls into two sessions
 * merges them (and their aggregates). Two conventions decide what happens to an event exactly
 * {@code gap} after the last one, and the factory names say which one is chosen:
 * <ul>
 *   <li>{@link #withGap(Duration)} (Flink's convention): an event at {@code t} extends its session
 *       to {@code [first, last + gap)}; an event exactly {@code gap} after the last one starts a
 *       new session. A gap of {@code gap} or more closes.
 *   <li>{@link #withInactivityGap(Duration)} (Kafka Streams' inactivity gap, the tutorial's
 *       {@code SessionWindow(gap_seconds=1800)}): an event at {@code t} extends its session to
 *       {@code [first, last + gap]}, so an event exactly {@code gap} after the last one continues
 *       it. Only <em>more than</em> {@code gap} of inactivity closes. Its results report the
 *       half-open window {@code [first, last + gap + 1 ms)}.
 * </ul>
 * A session fires once the watermark passes its end; allowed lateness, merging and the purge of
 * closed sessions follow the same span.
 *
 * <pre>{@code
 * keyed.window(SessionWindow.withInactivityGap(Duration.ofMinutes(30)))   // exactly 30 min continues
 * keyed.window(SessionWindow.withGap(Duration.ofMinutes(30)))             // exactly 30 min starts anew
 * }</pre>
 */
public final class SessionWindow extends WindowAssigner {
  private final Duration gap;
  private final boolean inclusive;

  private SessionWindow(Duration gap, boolean inclusive) {
    this.gap = gap;
    this.inclusive = inclusive;
  }

  /**
   * Sessions where a gap of {@code gap} or more closes: an event exactly {@code gap} after the
   * last one starts a new session.
   *
   * @param gap inactivity that closes a session, at least 1 ms
   * @return the assigner
   * @throws io.nip.errors.ConfigurationException naming {@code window.gap} when it is not positive
   *     or shorter than 1 ms
   */
  public static SessionWindow withGap(Duration gap) {
    return new SessionWindow(positive("window.gap", gap), false);
  }

  /**
   * Sessions where more than {@code gap} of inactivity closes: an event exactly {@code gap} after
   * the last one continues the session (Kafka Streams' inactivity gap).
   *
   * @param gap the longest inactivity within a session, at least 1 ms
   * @return the assigner
   * @throws io.nip.errors.ConfigurationException naming {@code window.gap} when it is not positive
   *     or shorter than 1 ms
   */
  public static SessionWindow withInactivityGap(Duration gap) {
    return new SessionWindow(positive("window.gap", gap), true);
  }

  @Override
  public Kind kind() {
    return Kind.SESSION;
  }

  /** @return the gap as given to the factory */
  @Override
  public Duration size() {
    return gap;
  }

  @Override
  public Duration slide() {
    return Duration.ZERO;
  }

  /**
   * @return true for {@link #withInactivityGap(Duration)} (exactly {@code gap} continues a
   *     session), false for {@link #withGap(Duration)} (exactly {@code gap} starts a new one)
   */
  public boolean gapInclusive() {
    return inclusive;
  }

  /**
   * @return how far an event's own span reaches, as a half-open length: {@code gap}, or
   *     {@code gap + 1 ms} when the gap is inclusive
   */
  public Duration span() {
    return inclusive ? gap.plusMillis(1) : gap;
  }

  @Override
  public String toString() {
    return "SessionWindow(" + (inclusive ? "inactivity gap " : "gap ") + gap + ")";
  }
}
