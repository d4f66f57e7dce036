package io.nip.examples.sessions;

import io.nip.examples.analytics.AnalyticsEvent;
import io.nip.examples.analytics.AnalyticsReference;
import io.nip.streaming.SessionIds;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The reference model of exercise 2, computed without the engine: the valid events of an input
 * (the job's parser and bad-input rules, bots kept), per user stably sorted by event time (ties:
 * input order), cut where the next event comes <em>more than</em> 30 minutes after the previous
 * one; each session summarized as the job does (ids from {@link SessionIds} over the user and the
 * first event time; past the cap, the journey keeps the earliest {@code cap - 1} steps and the
 * last one). And the consumer's view of a job's output: the last line per session id, without
 * superseded ids.
 *
 * <pre>{@code
 * List<SessionSummary> expected = SessionsReference.expected(lines, SessionsPipeline.DEFAULT_MAX_EVENTS_PER_SESSION);
 * assertThat(SessionsReference.finalView(output)).isEqualTo(expected);
 * }</pre>
 *
 * <p>Assumption: no event comes later than the allowed lateness (then the job counts it in no
 * session, and the model would differ). Stateless; thread-safe.
 */
public final class SessionsReference {
  private SessionsReference() {}

  /**
   * @param lines the input lines, bytes as written to the input topic
   * @param cap the job's {@code maxEventsPerSession}
   * @return every session, sorted by user and start, as its final line reads ({@link SessionSummary#asFinal()})
   */
  public static List<SessionSummary> expected(Iterable<byte[]> lines, int cap) {
    return sessionsOf(AnalyticsReference.validEvents(lines), cap);
  }

  /**
   * @param events valid events in input order
   * @param cap the job's {@code maxEventsPerSession}
   * @return every session, sorted by user and start
   */
  public static List<SessionSummary> sessionsOf(List<AnalyticsEvent> events, int cap) {
    Map<String, List<AnalyticsEvent>> byUser = new TreeMap<>();
    for (AnalyticsEvent e : events) {
      byUser.computeIfAbsent(e.userId(), u -> new ArrayList<>()).add(e);
    }
    long gap = SessionsPipeline.GAP.toMillis();
    List<SessionSummary> out = new ArrayList<>();
    for (List<AnalyticsEvent> userEvents : byUser.values()) {
      userEvents.sort(Comparator.comparing(AnalyticsEvent::eventTime)); // stable: ties keep input order
      int from = 0;
      for (int i = 1; i <= userEvents.size(); i++) {
        if (i == userEvents.size() || userEvents.get(i).eventTime().toEpochMilli()
            - userEvents.get(i - 1).eventTime().toEpochMilli() > gap) {
          out.add(summary(userEvents.subList(from, i), cap));
          from = i;
        }
      }
    }
    return out;
  }

  private static SessionSummary summary(List<AnalyticsEvent> s, int cap) {
    String user = s.get(0).userId();
    Instant start = s.get(0).eventTime();
    Instant end = s.get(s.size() - 1).eventTime();
    List<String> journey = new ArrayList<>();
    for (int i = 0; i < s.size(); i++) {
      if (i < cap - 1 || i == s.size() - 1) {
        journey.add(s.get(i).eventType());
      }
    }
    return new SessionSummary(user, SessionIds.of(SessionsPipeline.KEY_SERDE, user, start), start, end,
        Duration.between(start, end).toMillis() / 1000.0, s.size(), journey.get(0), journey.get(journey.size() - 1),
        journey, false, List.of(), s.size() - journey.size());
  }

  /**
   * What a consumer of {@code sessions-output} ends up with: per session id the last line, without
   * the ids some later line superseded, as final lines, sorted by user and start.
   *
   * @param lines the output in the order written (per user, which is the order of one partition)
   * @return the final sessions
   */
  public static List<SessionSummary> finalView(List<SessionSummary> lines) {
    Map<String, SessionSummary> last = new LinkedHashMap<>();
    Set<String> superseded = new HashSet<>();
    for (SessionSummary s : lines) {
      last.put(s.sessionId(), s);
      superseded.addAll(s.supersededSessionIds());
      superseded.remove(s.sessionId());
    }
    List<SessionSummary> out = new ArrayList<>();
    for (SessionSummary s : last.values()) {
      if (!superseded.contains(s.sessionId())) {
        out.add(s.asFinal());
      }
    }
    out.sort(Comparator.comparing(SessionSummary::userId).thenComparing(SessionSummary::sessionStart));
    return out;
  }
}
