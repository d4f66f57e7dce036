package io.nip.examples.analytics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The reference model of exercise 1, computed without the engine: every valid, non-bot event of an
 * input grouped by user and epoch-aligned 5-minute window ({@code [start, start + 5 min)}), with the
 * event count, the number of distinct event types and the sum of {@code properties.value}; and the
 * comparison of a job's output with it, naming lost, doubled and wrong windows.
 *
 * <pre>{@code
 * Map<AnalyticsReference.WindowKey, AnalyticsReference.Numbers> expected = AnalyticsReference.expected(lines);
 * AnalyticsReference.Comparison c = AnalyticsReference.compare(expected, outputs);
 * }</pre>
 *
 * <p>Assumptions: no event is late (the input's disorder stays within the job's out-of-orderness
 * bound, as the generator's does) and every line fits in a Kafka record. Lines that the job would
 * dead-letter (not UTF-8, not JSON, not a valid event) are left out, as the job leaves them out of
 * every window. Stateless; all methods are thread-safe.
 */
public final class AnalyticsReference {
  private AnalyticsReference() {}

  /**
   * One user's window.
   *
   * @param userId the user
   * @param windowStart the window's start, a multiple of 5 minutes since the epoch
   */
  public record WindowKey(String userId, Instant windowStart) {
    /** Checks the fields. */
    public WindowKey {
      Objects.requireNonNull(userId, "userId");
      Objects.requireNonNull(windowStart, "windowStart");
    }

    /**
     * @param s a result
     * @return the window it is the result of
     */
    public static WindowKey of(UserWindowSummary s) {
      return new WindowKey(s.userId(), s.windowStart());
    }
  }

  /**
   * The numbers of one window.
   *
   * @param eventCount events in it
   * @param uniqueEventTypes distinct event types among them
   * @param totalValue the exact decimal sum of their {@code properties.value}, as a double
   */
  public record Numbers(long eventCount, long uniqueEventTypes, double totalValue) {
    /**
     * @param s a result of this window
     * @return whether it carries exactly these numbers (the total within 1e-9, relative) and a
     *     5-minute window
     */
    public boolean matches(UserWindowSummary s) {
      return s.eventCount() == eventCount && s.uniqueEventTypes() == uniqueEventTypes
          && Math.abs(s.totalValue() - totalValue) <= 1e-9 * Math.max(1, Math.abs(totalValue))
          && s.windowEnd().equals(s.windowStart().plus(AnalyticsPipeline.WINDOW));
    }
  }

  /**
   * A result whose numbers differ from the reference, or whose window the reference does not have.
   *
   * @param got the result
   * @param expected the reference's numbers, or null when the window should not exist
   */
  public record Mismatch(UserWindowSummary got, Numbers expected) {}

  /**
   * How an output compares with the reference.
   *
   * @param expectedWindows windows of the reference
   * @param outputs results compared
   * @param lost windows of the reference without a result carrying its numbers, by window start then user
   * @param doubled second and later copies of a correct result (each copy beyond the first once)
   * @param wrong results with other numbers than the reference's, or of a window it does not have
   */
  public record Comparison(long expectedWindows, long outputs, List<WindowKey> lost, List<UserWindowSummary> doubled,
      List<Mismatch> wrong) {
    /** @return true when every window has exactly one result and it is correct */
    public boolean exact() {
      return lost.isEmpty() && doubled.isEmpty() && wrong.isEmpty();
    }
  }

  /**
   * @param file a JSON-lines file of user events (as {@code nip load} reads it: a {@code \r}
   *     before the {@code \n} dropped, empty lines skipped)
   * @return the expected numbers of every (user, window)
   * @throws UncheckedIOException when the file cannot be read
   */
  public static Map<WindowKey, Numbers> expected(Path file) {
    try {
      byte[] all = Files.readAllBytes(file);
      List<byte[]> lines = new ArrayList<>();
      int from = 0;
      for (int i = 0; i <= all.length; i++) {
        if (i == all.length || all[i] == '\n') {
          int to = i > from && all[i - 1] == '\r' ? i - 1 : i;
          lines.add(java.util.Arrays.copyOfRange(all, from, to));
          from = i + 1;
        }
      }
      return expected(lines);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * @param lines the input lines, bytes as written to the input topic
   * @return the expected numbers of every (user, window); lines the job would dead-letter are left out
   */
  public static Map<WindowKey, Numbers> expected(Iterable<byte[]> lines) {
    long size = AnalyticsPipeline.WINDOW.toMillis();
    Map<WindowKey, Acc> groups = new HashMap<>();
    for (AnalyticsEvent e : validEvents(lines)) {
      if (e.isBot()) {
        continue;
      }
      long ms = e.eventTime().toEpochMilli();
      Acc a = groups.computeIfAbsent(new WindowKey(e.userId(), Instant.ofEpochMilli(Math.floorDiv(ms, size) * size)),
          k -> new Acc());
      a.count++;
      a.types.add(e.eventType());
      a.total = a.total.add(BigDecimal.valueOf(e.value()));
    }
    Map<WindowKey, Numbers> out = new HashMap<>();
    groups.forEach((k, a) -> out.put(k, new Numbers(a.count, a.types.size(), a.total.doubleValue())));
    return out;
  }

  /**
   * The events a job reads from these lines, by the job's parser and bad-input rules: lines it
   * would dead-letter (empty, not UTF-8, not JSON, not a valid event) are left out.
   *
   * @param lines the input lines, bytes as written to the input topic
   * @return the valid events, bots included, in input order
   */
  public static List<AnalyticsEvent> validEvents(Iterable<byte[]> lines) {
    AnalyticsEventSerde serde = new AnalyticsEventSerde();
    List<AnalyticsEvent> events = new ArrayList<>();
    for (byte[] line : lines) {
      AnalyticsEvent e = parse(serde, line);
      if (e != null) {
        events.add(e);
      }
    }
    return events;
  }

  private static AnalyticsEvent parse(AnalyticsEventSerde serde, byte[] line) {
    if (line.length == 0 || !utf8(line)) {
      return null;
    }
    try {
      return serde.deserialize(line);
    } catch (RuntimeException bad) {
      return null; // a dead letter of the job, in no window
    }
  }

  private static boolean utf8(byte[] line) {
    try {
      StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(line));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  /**
   * Compares a job's output (every record of the output topic, copies included) with the reference.
   *
   * @param expected the reference ({@link #expected(Iterable)})
   * @param got the results read
   * @return lost, doubled and wrong results
   */
  public static Comparison compare(Map<WindowKey, Numbers> expected, Iterable<UserWindowSummary> got) {
    Map<WindowKey, Integer> correct = new HashMap<>();
    List<UserWindowSummary> doubled = new ArrayList<>();
    List<Mismatch> wrong = new ArrayList<>();
    long outputs = 0;
    for (UserWindowSummary s : got) {
      outputs++;
      WindowKey k = WindowKey.of(s);
      Numbers n = expected.get(k);
      if (n == null || !n.matches(s)) {
        wrong.add(new Mismatch(s, n));
      } else if (correct.merge(k, 1, Integer::sum) > 1) {
        doubled.add(s);
      }
    }
    Map<WindowKey, Boolean> lostSorted = new TreeMap<>(Comparator.comparing(WindowKey::windowStart)
        .thenComparing(WindowKey::userId));
    for (WindowKey k : expected.keySet()) {
      if (!correct.containsKey(k)) {
        lostSorted.put(k, Boolean.TRUE);
      }
    }
    return new Comparison(expected.size(), outputs, List.copyOf(lostSorted.keySet()), List.copyOf(doubled),
        List.copyOf(wrong));
  }

  /** One window's running numbers. */
  private static final class Acc {
    long count;
    final Set<String> types = new HashSet<>();
    BigDecimal total = BigDecimal.ZERO;
  }
}
