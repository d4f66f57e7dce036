package io.nip.pipeline;

import io.nip.errors.ConfigurationException;
import java.time.Duration;
import java.util.Objects;

/**
 * The event-time bounds of a stream–stream join: a left record at time {@code t} joins the right
 * records of its key whose times lie in {@code [t - before, t + after]}, both ends included (an
 * interval join, like Flink's {@code between(-before, after)} and Kafka Streams'
 * {@code JoinWindows.ofTimeDifferenceAndNoGrace(d).before(b).after(a)}).
 *
 * <pre>{@code
 * JoinWindow.of(Duration.ofMinutes(5), Duration.ofMinutes(1)); // right up to 5 min before, 1 min after
 * JoinWindow.within(Duration.ofSeconds(30));                  // right within 30 s either side
 * }</pre>
 *
 * @param before how far (ms precision) a right record may precede the left one; zero or more
 * @param after how far a right record may follow the left one; zero or more
 */
public record JoinWindow(Duration before, Duration after) {
  /**
   * @throws ConfigurationException when a bound is null or negative
   */
  public JoinWindow {
    check("before", before);
    check("after", after);
  }

  /**
   * @param before how far a right record may precede the left one
   * @param after how far a right record may follow the left one
   * @return the window
   * @throws ConfigurationException when a bound is null or negative
   */
  public static JoinWindow of(Duration before, Duration after) {
    return new JoinWindow(before, after);
  }

  /**
   * @param difference how far apart a left and a right record may be, either way
   * @return {@code of(difference, difference)}
   * @throws ConfigurationException when null or negative
   */
  public static JoinWindow within(Duration difference) {
    return new JoinWindow(difference, difference);
  }

  private static void check(String name, Duration d) {
    if (Objects.isNull(d) || d.isNegative()) {
      throw ConfigurationException.invalid("joinWindow." + name, String.valueOf(d), "must be zero or positive");
    }
  }
}
