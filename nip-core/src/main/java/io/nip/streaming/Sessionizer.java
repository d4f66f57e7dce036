package io.nip.streaming;

import io.nip.pipeline.KeyedContext;
import io.nip.pipeline.KeyedProcessor;
import io.nip.pipeline.KeyedStream;
import io.nip.pipeline.Op;
import io.nip.pipeline.Stream;
import io.nip.pipeline.WindowedStream.WindowOutput;
import io.nip.serde.Serde;
import io.nip.sink.Sink;
import io.nip.streaming.SessionAccumulator.Snapshot;
import io.nip.streaming.SessionAccumulator.Stamped;
import io.nip.window.SessionWindow;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Function;

/**
 * The operators {@link StatefulProcessor#sessionize} adds, as plain DSL:
 * {@code keyBy → process (stamp event times) → keyBy → window(SessionWindow.withInactivityGap)
 * .allowedLateness .aggregate(bounded sorted list) → keyBy → process (ids, updates)}.
 *
 * <p>Design: the window's aggregate sees only values, so a stateless keyed step first pairs each
 * event with its event time ({@code <name>-time}). The session window ({@code <name>}) holds the
 * sessions in the pipeline's state backend; {@link SessionResults} ({@code <name>-results}) labels
 * the results. Late events leave the window's side output with a reason.
 *
 * @param <K> key type
 * @param <T> event type
 * @param <R> result type
 */
final class Sessionizer<K, T, R> {
  /** Settings read when the processor is applied. */
  record Settings<T>(Duration timeout, Duration lateness, int maxEvents, Serde<T> eventSerde,
      Sink<? super LateEvent<T>> lateSink) {}

  private final String name;
  private final Function<? super T, ? extends K> keyFn;
  private final Serde<K> keySerde;
  private final StatefulProcessor.SessionFunction<K, T, R> fn;

  Sessionizer(String name, Function<? super T, ? extends K> keyFn, Serde<K> keySerde,
      StatefulProcessor.SessionFunction<K, T, R> fn) {
    this.name = name;
    this.keyFn = keyFn;
    this.keySerde = keySerde;
    this.fn = fn;
  }

  Stream<R> apply(Stream<T> input, Settings<T> s) {
    KeyedStream<K, T> keyed = keySerde == null ? input.keyBy(keyFn) : input.keyBy(keyFn, keySerde);
    Serde<K> keys = keyed.keySerde();
    Stream<Stamped<T>> stamped = keyed.process(new Stamp<>(), Op.named(name + "-time"));
    WindowOutput<K, Snapshot<T>, Stamped<T>> sessions = stamped.<K>keyBy(e -> keyFn.apply(e.event()), keys)
        .window(SessionWindow.withInactivityGap(s.timeout())).allowedLateness(s.lateness())
        .aggregate(SessionAccumulator.aggregate(s.maxEvents(), s.eventSerde()), Op.named(name));
    if (s.lateSink() != null) {
      String reason = "its session had closed: it arrived more than the allowed lateness (" + s.lateness()
          + ") after the session's end (last event + " + s.timeout() + ")";
      sessions.lateEvents().map(e -> new LateEvent<>(e.event(), Instant.ofEpochMilli(e.time()), reason))
          .to(s.lateSink());
    }
    return sessions.keyBy(r -> r.key(), keys)
        .process(new SessionResults<>(fn, keys, s.lateness().toMillis()), Op.named(name + "-results"));
  }

  /** Pairs an event with its event time; keeps no state. */
  private static final class Stamp<K, T> implements KeyedProcessor<K, T, Stamped<T>> {
    @Override
    public void process(K key, T value, KeyedContext<K, Stamped<T>> context) {
      Instant t = context.timestamp();
      context.emit(new Stamped<>(t.toEpochMilli(), value), t);
    }
  }
}
