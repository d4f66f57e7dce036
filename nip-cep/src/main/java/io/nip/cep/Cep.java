package io.nip.cep;

import io.nip.cep.internal.Nfa;
import io.nip.cep.internal.PatternProcessor;
import io.nip.pipeline.KeyedStream;
import io.nip.pipeline.Op;
import io.nip.serde.Serde;
import java.util.Objects;

/**
 * Runs a {@link Pattern} on a keyed stream: per key, in event-time order.
 *
 * <pre>{@code
 * PatternStream<String, Login> alerts = Cep.detect(logins.keyBy(Login::user, Serdes.string()),
 *     pattern, Serdes.json(Login.class), Op.named("failed_login_sequence"));
 * alerts.matches().to(Sinks.forEach("alerts", m -> notify(m.key(), m.events())));
 * }</pre>
 *
 * <p>How it runs: events are buffered in keyed state until the watermark passes them, then
 * evaluated in event-time order (ties in arrival order); an event already behind the watermark on
 * arrival goes to {@link PatternStream#lateEvents()}. The NFA's partial matches and the events they
 * refer to (once each, in a shared buffer) are keyed state too, so checkpoints hold them and a
 * restore continues every partial match; {@code within} and {@code notFollowedBy} deadlines are
 * event-time timers. A match is emitted when its last event is evaluated, i.e. once the watermark
 * has passed it — a match's latency is the watermark's delay (the out-of-orderness bound).
 */
public final class Cep {
  private Cep() {}

  /**
   * @param input the keyed events; keys are written to state with its key serde
   * @param pattern the pattern
   * @param eventSerde writes buffered events to state (snapshots, changelogs, RocksDB)
   * @param op the operator's name — also the scope of its state, so keep it stable across restarts,
   *     and the {@link PatternMatch#pattern()} of its matches — and optionally its error policy,
   *     which applies to exceptions thrown by conditions
   * @param <K> key type
   * @param <T> event type
   * @return the matches and the late events
   * @throws NullPointerException when an argument is null
   */
  public static <K, T> PatternStream<K, T> detect(KeyedStream<K, T> input, Pattern<T> pattern, Serde<T> eventSerde,
      Op op) {
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(pattern, "pattern");
    Objects.requireNonNull(eventSerde, "eventSerde");
    Objects.requireNonNull(op, "op");
    Nfa nfa = new Nfa(pattern.stages(), pattern.absence(), pattern.withinMillis(), pattern.afterMatchSkip());
    PatternProcessor<K, T> processor = new PatternProcessor<>(op.name(), nfa, eventSerde);
    return new PatternStream<>(input.process(processor, op), op.name());
  }
}
