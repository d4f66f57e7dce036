package io.nip.bench.e2e;

import io.nip.examples.analytics.AnalyticsEvent;
import io.nip.examples.analytics.AnalyticsReference;
import io.nip.examples.sessions.SessionSummary;
import io.nip.examples.sessions.SessionsPipeline;
import io.nip.examples.sessions.SessionsReference;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Exercise 2 under {@link ChaosRun}: {@code nip run sessions} over {@link io.nip.examples.analytics.UserEventFeed} events, its
 * output compared with {@link SessionsReference#expected}: the sessions computed from the input
 * without the engine.
 *
 * <p>Input. Users = events / 6 (at least 100, at most 1,000,000): about 6 events per user over the generator's three
 * hours, a mean gap near 30 minutes, so about a third of the gaps close a session and sessions
 * close all through the run, not only at the end of the last, bounded one (39,000 events give
 * about 17,000 sessions). The generator's disorder (up to 20 s) stays below the job's watermark
 * bound (30 s); {@link #compare} checks that no valid event lies 30 s or more behind an earlier one.
 * So no event is ever late: an uninterrupted run writes <em>exactly one line per session</em>,
 * equal to the reference's line (no {@code "update"}, nothing superseded). The job's late updates
 * are legitimate output in general, but this input gives it no reason to write one.
 *
 * <p>What is compared, line by line in the order of the output's partitions (one user's lines are
 * in one partition, in the order written):
 * <ul>
 *   <li><b>wrong</b>: a line whose session id the reference does not have, or whose content differs
 *       from the reference session of that id. The first line of an id must equal it exactly (an
 *       uninterrupted run writes no update, so a first line marked {@code "update"} or superseding
 *       ids is wrong); a later line is compared as a final line ({@link SessionSummary#asFinal()}).
 *   <li><b>doubled</b>: a correct line after the first of its session id, whether written again
 *       as it was (a replayed close) or marked {@code "update"}: a line an uninterrupted run does
 *       not write. Under exactly-once none may exist; with none wrong or lost either, the output is,
 *       line for line, what an uninterrupted run writes. Under at-least-once they are reported only.
 *   <li><b>lost</b>: a reference session missing from what a consumer ends up with,
 *       {@link SessionsReference#finalView} (the last line per id, ids that a later line
 *       superseded dropped): never written, or superseded by a line that should not exist.
 * </ul>
 *
 * <p>Stateless; thread-safe.
 */
final class SessionsChaos extends ChaosExercise {
  SessionsChaos() {
    super("sessions", 6, 1_000_000);
  }

  @Override
  Comparison compare(List<byte[]> input, List<byte[]> output) {
    List<AnalyticsEvent> events = AnalyticsReference.validEvents(input);
    requireNoLateEvents(events);
    List<SessionSummary> reference = SessionsReference.sessionsOf(events, SessionsPipeline.DEFAULT_MAX_EVENTS_PER_SESSION);
    Map<String, SessionSummary> expected = new HashMap<>();
    for (SessionSummary s : reference) {
      expected.put(s.sessionId(), s);
    }
    List<SessionSummary> lines = new ArrayList<>(output.size());
    output.forEach(v -> lines.add(SessionSummary.SERDE.deserialize(v)));
    Set<String> seen = new HashSet<>();
    List<String> doubled = new ArrayList<>();
    List<String> wrong = new ArrayList<>();
    for (SessionSummary line : lines) {
      SessionSummary ref = expected.get(line.sessionId());
      boolean first = seen.add(line.sessionId());
      if (ref == null) {
        wrong.add(json(line) + " expected no such session");
      } else if (!ref.equals(first ? line : line.asFinal())) {
        wrong.add(json(line) + " expected " + json(ref) + (first ? " as the first line" : ""));
      } else if (!first) {
        doubled.add(json(line));
      }
    }
    Set<String> kept = new HashSet<>();
    SessionsReference.finalView(lines).forEach(s -> kept.add(s.sessionId()));
    List<String> lost = reference.stream().filter(s -> !kept.contains(s.sessionId()))
        .map(s -> s.userId() + " " + s.sessionStart() + " " + s.sessionId()).toList();
    return new Comparison("sessions", expected.size(), lines.size(), lost, doubled, wrong);
  }

  /**
   * @throws IllegalStateException when a valid event lies as far as the watermark bound behind an
   *     earlier one: then an uninterrupted run may write late updates, and "doubled" would not hold
   */
  private static void requireNoLateEvents(List<AnalyticsEvent> events) {
    long bound = SessionsPipeline.DEFAULT_OUT_OF_ORDERNESS.toMillis();
    long max = Long.MIN_VALUE;
    for (AnalyticsEvent e : events) {
      long t = e.eventTime().toEpochMilli();
      if (max != Long.MIN_VALUE && t <= max - bound) {
        throw new IllegalStateException("event of " + e.userId() + " at " + e.eventTime() + " lies "
            + (max - t) + " ms behind " + Instant.ofEpochMilli(max) + ", not within the watermark bound of "
            + bound + " ms: an uninterrupted run could write late updates");
      }
      max = Math.max(max, t);
    }
  }

  private static String json(SessionSummary s) {
    return new String(SessionSummary.SERDE.serialize(s), StandardCharsets.UTF_8);
  }
}
