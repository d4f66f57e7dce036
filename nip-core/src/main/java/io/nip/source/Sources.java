package io.nip.source;

import io.nip.event.GenericEvent;
import io.nip.serde.Serde;
import io.nip.serde.Serdes;
import io.nip.source.internal.CollectionSource;
import io.nip.source.internal.GeneratorSource;
import io.nip.source.internal.JsonLinesSource;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Objects;

/**
 * Built-in sources: an in-memory collection, a JSON-lines file, and a synthetic event generator.
 * Connectors (Kafka, Kinesis, Pub/Sub) live in their own modules.
 *
 * <pre>{@code
 * Source<UserEvent> file = Sources.jsonLines("events", Path.of("events.jsonl"), UserEvent.class);
 * Source<GenericEvent> gen = Sources.generator("gen", GeneratorSpec.builder().events(1000).build());
 * }</pre>
 */
public final class Sources {
  private Sources() {}

  /**
   * A bounded source over a collection, in one partition.
   *
   * @param name source name
   * @param values the records, read in iteration order
   * @param <T> value type
   * @return the source
   */
  public static <T> Source<T> collection(String name, Collection<? extends T> values) {
    return collection(name, values, 1);
  }

  /**
   * A bounded source over a collection, dealt round-robin over partitions.
   *
   * @param name source name
   * @param values the records
   * @param partitions how many partitions
   * @param <T> value type
   * @return the source
   */
  public static <T> Source<T> collection(String name, Collection<? extends T> values, int partitions) {
    return new CollectionSource<>(Objects.requireNonNull(name, "name"), values, partitions);
  }

  /**
   * A bounded source reading one JSON value per line of a UTF-8 file. Blank lines are ignored; a
   * line that does not parse goes to the error policy with its bytes and line number.
   *
   * @param name source name
   * @param file the file
   * @param type the record type
   * @param <T> value type
   * @return the source
   */
  public static <T> Source<T> jsonLines(String name, Path file, Class<T> type) {
    return jsonLines(name, file, Serdes.json(type));
  }

  /**
   * @param name source name
   * @param file the file
   * @param serde parses each line's bytes
   * @param <T> value type
   * @return a bounded source of the file's lines
   */
  public static <T> Source<T> jsonLines(String name, Path file, Serde<T> serde) {
    return new JsonLinesSource<>(Objects.requireNonNull(name, "name"), Objects.requireNonNull(file, "file"),
        Objects.requireNonNull(serde, "serde"));
  }

  /**
   * Synthetic {@link GenericEvent}s: keys {@code user_N} (or {@code bot_N}), event types, a numeric
   * {@code value} property, event times with bounded disorder. Bounded when {@code spec.events() > 0}.
   *
   * @param name source name
   * @param spec the generator settings
   * @return the source
   */
  public static Source<GenericEvent> generator(String name, GeneratorSpec spec) {
    return new GeneratorSource(Objects.requireNonNull(name, "name"), Objects.requireNonNull(spec, "spec"));
  }
}
