package io.nip.streaming;

import java.time.Instant;
import java.util.AbstractList;
import java.util.List;
import java.util.Objects;

/**
 * The events of one session as {@link StatefulProcessor#sessionize} hands them to its function:
 * an unmodifiable list in event-time order (ties: arrival order), with what the function needs to
 * label its result.
 *
 * <h2>Bounded</h2>
 * A session keeps at most {@link StatefulProcessor#maxEventsPerSession(int) maxEventsPerSession}
 * events (default {@value StatefulProcessor#DEFAULT_MAX_EVENTS_PER_SESSION}). Past the cap it keeps
 * the earliest {@code cap - 1} events and the latest one, so the first and the last event are
 * always right; the ones between are dropped, counted in {@link #droppedEvents()} and in the
 * metric {@code nip.session.dropped.events}. {@link #eventCount()} counts every event, dropped or
 * not, and the session is still emitted.
 *
 * <h2>Updates</h2>
 * {@link #isUpdate()} is false for the first result of a session id and true for a result that
 * replaces an earlier one: a late event (within the allowed lateness) changed the session, or
 * merged it with others. {@link #supersededIds()} names the ids of earlier emitted sessions that
 * this one absorbed; a consumer drops their results.
 *
 * <pre>{@code
 * (user, events, sessionId) -> new Summary(sessionId, events.size(), events.isUpdate(), events.supersededIds())
 * }</pre>
 *
 * @param <T> the event type
 */
public final class SessionEvents<T> extends AbstractList<T> {
  private final List<T> events;
  private final Instant first;
  private final Instant last;
  private final long eventCount;
  private final long dropped;
  private final boolean update;
  private final List<String> superseded;

  /**
   * @param events the kept events in event-time order, at least one
   * @param firstEventTime the earliest event time
   * @param lastEventTime the latest event time
   * @param eventCount every event of the session, kept or dropped
   * @param droppedEvents how many were dropped by the cap
   * @param update whether this result replaces an earlier one
   * @param supersededIds ids of earlier emitted sessions merged into this one
   */
  public SessionEvents(List<T> events, Instant firstEventTime, Instant lastEventTime, long eventCount,
      long droppedEvents, boolean update, List<String> supersededIds) {
    this.events = List.copyOf(events);
    this.first = Objects.requireNonNull(firstEventTime, "firstEventTime");
    this.last = Objects.requireNonNull(lastEventTime, "lastEventTime");
    this.eventCount = eventCount;
    this.dropped = droppedEvents;
    this.update = update;
    this.superseded = List.copyOf(supersededIds);
  }

  @Override
  public T get(int index) {
    return events.get(index);
  }

  @Override
  public int size() {
    return events.size();
  }

  /** @return the event time of the session's first event: the session start */
  public Instant firstEventTime() {
    return first;
  }

  /** @return the event time of the session's last event */
  public Instant lastEventTime() {
    return last;
  }

  /** @return how many events the session had, including those dropped by the cap */
  public long eventCount() {
    return eventCount;
  }

  /** @return how many events the cap dropped (0 when the list holds every event) */
  public long droppedEvents() {
    return dropped;
  }

  /** @return whether the cap dropped events */
  public boolean truncated() {
    return dropped > 0;
  }

  /** @return true when this result replaces an earlier result of the same session id */
  public boolean isUpdate() {
    return update;
  }

  /** @return ids of earlier emitted sessions merged into this one, whose results this one replaces */
  public List<String> supersededIds() {
    return superseded;
  }
}
