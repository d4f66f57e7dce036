package io.nip.examples.sessions;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * Input lines for exercise 2's tests: random users whose next event comes after one of the gaps at
 * the session boundary (exactly 30 min, 30 min ± 1 ms, 1 h) or a short pause (ties included),
 * bots among them, in an arrival order disordered by at most a bound in event time, with bad
 * lines mixed in when asked.
 */
final class SessionsData {
  static final Instant T0 = Instant.parse("2026-01-17T17:00:00Z");
  private static final String[] TYPES = {"login", "page_view", "click", "search", "add_to_cart", "purchase"};
  private static final long[] BOUNDARY_GAPS = {
      Duration.ofMinutes(30).toMillis(), Duration.ofMinutes(30).toMillis() - 1, Duration.ofMinutes(30).toMillis() + 1,
      Duration.ofHours(1).toMillis(), 0, 1_000, 45_000, Duration.ofMinutes(12).toMillis()};

  final List<byte[]> lines = new ArrayList<>();
  long badLines;

  private record Timed(long arrival, byte[] line) {}

  /**
   * @param seed random seed
   * @param users how many users (every fifth a bot)
   * @param eventsPerUser events of each user
   * @param disorder how far, in event time, an event may arrive after a later one
   * @param bad whether to mix in bad lines
   * @return the lines in arrival order
   */
  static SessionsData generate(long seed, int users, int eventsPerUser, Duration disorder, boolean bad) {
    Random r = new Random(seed);
    List<Timed> all = new ArrayList<>();
    for (int u = 0; u < users; u++) {
      String user = (u % 5 == 4 ? "bot_" : "user_") + u;
      long t = T0.toEpochMilli() + r.nextInt(60_000);
      for (int i = 0; i < eventsPerUser; i++) {
        t += BOUNDARY_GAPS[r.nextInt(BOUNDARY_GAPS.length)];
        long arrival = t + (disorder.isZero() ? 0 : (long) (r.nextDouble() * disorder.toMillis()));
        all.add(new Timed(arrival, line(user, TYPES[r.nextInt(TYPES.length)], Instant.ofEpochMilli(t))));
      }
    }
    all.sort(Comparator.comparingLong(Timed::arrival)); // stable
    SessionsData d = new SessionsData();
    for (int i = 0; i < all.size(); i++) {
      if (bad && i % 17 == 3) {
        d.lines.add(i % 2 == 0 ? "not json".getBytes(StandardCharsets.UTF_8)
            : "{\"user_id\":\"u\",\"event_type\":\"click\"}".getBytes(StandardCharsets.UTF_8));
        d.badLines++;
      }
      d.lines.add(all.get(i).line());
    }
    return d;
  }

  static byte[] line(String user, String type, Instant time) {
    return ("{\"event_id\":\"" + user + "-" + time.toEpochMilli() + "-" + type + "\",\"user_id\":\"" + user
        + "\",\"event_type\":\"" + type + "\",\"timestamp\":\"" + time + "\",\"properties\":{}}")
        .getBytes(StandardCharsets.UTF_8);
  }
}
