package io.nip.cep;

import io.nip.cep.internal.LateEvent;
import io.nip.pipeline.Stream;

/**
 * The output of a pattern operator: its matches, and the side output of events that arrived behind
 * the watermark (they are counted in {@code nip.cep.late.events} whether or not a sink reads them).
 *
 * <pre>{@code
 * PatternStream<String, Login> out = Cep.detect(logins.keyBy(Login::user, Serdes.string()), pattern,
 *     Serdes.json(Login.class), Op.named("failed_login_sequence"));
 * out.matches().to(alerts);  out.lateEvents().to(lateSink);
 * }</pre>
 *
 * @param <K> key type
 * @param <T> event type
 */
public final class PatternStream<K, T> {
  private final Stream<Object> raw;
  private final String name;

  PatternStream(Stream<Object> raw, String name) {
    this.raw = raw;
    this.name = name;
  }

  /** @return the pattern's (operator's) name */
  public String name() {
    return name;
  }

  /**
   * Each call adds a branch (two light operators named after the pattern) to the pipeline.
   *
   * @return the matches, each with the event time {@link PatternMatch#detectedAt()}
   */
  @SuppressWarnings("unchecked")
  public Stream<PatternMatch<K, T>> matches() {
    return raw.filter(o -> o instanceof PatternMatch)
        .map(o -> (PatternMatch<K, T>) o);
  }

  /**
   * Each call adds a branch to the pipeline.
   *
   * @return the events that arrived behind the watermark, with their own event time
   */
  @SuppressWarnings("unchecked")
  public Stream<T> lateEvents() {
    return raw.filter(o -> o instanceof LateEvent)
        .map(o -> (T) ((LateEvent) o).event());
  }
}
