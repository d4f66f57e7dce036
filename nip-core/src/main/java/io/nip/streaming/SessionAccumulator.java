package io.nip.streaming;

import io.nip.errors.SerializationException;
import io.nip.serde.Serde;
import io.nip.window.Aggregate;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The incremental aggregate of {@link StatefulProcessor#sessionize}: per session, its events in
 * event-time order, bounded.
 *
 * <p>Design: the list stays sorted by event time; an event is inserted after every event of the
 * same time, so ties keep arrival order. Two sessions that merge never share an event time (an
 * event at {@code t} of one would lie inside the other's span, so they would have merged already),
 * so merging is a plain merge of two sorted lists. The cap keeps the earliest {@code cap - 1}
 * events and the latest one: after each insert or merge the surplus is removed just before the
 * last element, which keeps that invariant. {@code count} and {@code dropped} count every event.
 * The result is a copy: the window keeps changing its accumulator after it emitted one.
 *
 * @param <T> the event type
 */
final class SessionAccumulator<T> {
  /**
   * An event with its event time, as the window sees it.
   *
   * @param time event time, epoch millis
   * @param event the event
   * @param <T> the event type
   */
  record Stamped<T>(long time, T event) {}

  /**
   * What a session emits: a copy of its kept events and its counts.
   *
   * @param events kept events in event-time order
   * @param count every event
   * @param dropped events dropped by the cap
   * @param <T> the event type
   */
  record Snapshot<T>(List<Stamped<T>> events, long count, long dropped) {}

  private final List<Stamped<T>> events = new ArrayList<>();
  private long count;
  private long dropped;

  private void add(Stamped<T> e, int cap) {
    int lo = 0;
    int hi = events.size();
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (events.get(mid).time() <= e.time()) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    events.add(lo, e);
    count++;
    trim(cap);
  }

  private void absorb(SessionAccumulator<T> other, int cap) {
    List<Stamped<T>> merged = new ArrayList<>(events.size() + other.events.size());
    int i = 0;
    int j = 0;
    while (i < events.size() || j < other.events.size()) {
      boolean mine = j == other.events.size()
          || (i < events.size() && events.get(i).time() <= other.events.get(j).time());
      merged.add(mine ? events.get(i++) : other.events.get(j++));
    }
    events.clear();
    events.addAll(merged);
    count += other.count;
    dropped += other.dropped;
    trim(cap);
  }

  private void trim(int cap) {
    while (events.size() > cap) {
      events.remove(cap - 1);
      dropped++;
    }
  }

  /**
   * @param cap the most events a session keeps, at least 2
   * @param eventSerde how events are stored in state and checkpoints
   * @param <T> the event type
   * @return the aggregate
   */
  static <T> Aggregate<Stamped<T>, SessionAccumulator<T>, Snapshot<T>> aggregate(int cap, Serde<T> eventSerde) {
    Serde<SessionAccumulator<T>> serde = new AccumulatorSerde<>(eventSerde);
    return new Aggregate<>() {
      @Override
      public SessionAccumulator<T> createAccumulator() {
        return new SessionAccumulator<>();
      }

      @Override
      public SessionAccumulator<T> add(SessionAccumulator<T> acc, Stamped<T> value) {
        acc.add(value, cap);
        return acc;
      }

      @Override
      public SessionAccumulator<T> merge(SessionAccumulator<T> a, SessionAccumulator<T> b) {
        a.absorb(b, cap);
        return a;
      }

      @Override
      public Snapshot<T> result(SessionAccumulator<T> acc) {
        return new Snapshot<>(List.copyOf(acc.events), acc.count, acc.dropped);
      }

      @Override
      public Serde<SessionAccumulator<T>> accumulatorSerde() {
        return serde;
      }
    };
  }

  /** count, dropped, the number of kept events, then per event its time and its serde's bytes. */
  private static final class AccumulatorSerde<T> implements Serde<SessionAccumulator<T>> {
    private final Serde<T> events;

    AccumulatorSerde(Serde<T> events) {
      this.events = events;
    }

    @Override
    public byte[] serialize(SessionAccumulator<T> acc) {
      if (acc == null) {
        return null;
      }
      // each event's bytes first, then one array of the exact size: written at every checkpoint of
      // a changed session, so no stream (whose writes lock) and no growing buffer
      int n = acc.events.size();
      byte[][] parts = new byte[n][];
      long size = 20;
      for (int i = 0; i < n; i++) {
        parts[i] = events.serialize(acc.events.get(i).event());
        size += 12L + parts[i].length;
      }
      if (size > Integer.MAX_VALUE - 16) {
        throw new SerializationException("session accumulator: " + size + " bytes, more than an array holds", null,
            null);
      }
      ByteBuffer out = ByteBuffer.allocate((int) size);
      out.putLong(acc.count).putLong(acc.dropped).putInt(n);
      for (int i = 0; i < n; i++) {
        out.putLong(acc.events.get(i).time()).putInt(parts[i].length).put(parts[i]);
      }
      return out.array();
    }

    @Override
    public SessionAccumulator<T> deserialize(byte[] bytes) {
      if (bytes == null) {
        return null;
      }
      SessionAccumulator<T> acc = new SessionAccumulator<>();
      ByteBuffer in = ByteBuffer.wrap(bytes); // read at every fired session: no stream objects
      try {
        acc.count = in.getLong();
        acc.dropped = in.getLong();
        int n = in.getInt();
        for (int i = 0; i < n; i++) {
          long time = in.getLong();
          int len = in.getInt();
          if (len < 0 || len > in.remaining()) {
            throw new SerializationException("session accumulator: an event of " + len + " bytes where "
                + in.remaining() + " are left", bytes, null);
          }
          byte[] b = new byte[len];
          in.get(b);
          acc.events.add(new Stamped<>(time, events.deserialize(b)));
        }
      } catch (BufferUnderflowException e) {
        throw new SerializationException("session accumulator: it ends early (" + bytes.length + " bytes)", bytes, e);
      }
      return acc;
    }
  }
}
