package io.nip.sink;

import io.nip.serde.Serde;
import io.nip.serde.Serdes;
import io.nip.sink.internal.ForEachSink;
import io.nip.sink.internal.JsonLinesSink;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Built-in sinks: in-memory collection, callback, standard output, JSON-lines file. Connectors (Kafka,
 * databases) live in their own modules.
 *
 * <pre>{@code
 * stream.to(Sinks.jsonLines("results", Path.of("out.jsonl")));
 * stream.to(Sinks.stdout("console"));
 * }</pre>
 */
public final class Sinks {
  private Sinks() {}

  /**
   * @param name sink name
   * @param <T> value type
   * @return a sink that keeps everything in memory
   */
  public static <T> CollectingSink<T> collecting(String name) {
    return new CollectingSink<>(name);
  }

  /**
   * Prints each record as JSON (strings as they are) on standard output, one per line.
   *
   * @param name sink name
   * @param <T> value type
   * @return the sink
   */
  public static <T> Sink<T> stdout(String name) {
    return print(name, System.out, Sinks::toJsonText);
  }

  /**
   * @param name sink name
   * @param out where to print
   * @param format turns a record into one line of text
   * @param <T> value type
   * @return a sink printing one line per record
   */
  public static <T> Sink<T> print(String name, PrintStream out, Function<? super T, String> format) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(out, "out");
    Objects.requireNonNull(format, "format");
    return new ForEachSink<T>(name, value -> {
      String line = format.apply(value);
      synchronized (out) {
        out.println(line);
      }
    }, out::flush);
  }

  /**
   * Writes each record as one line of JSON to a UTF-8 file, replacing the file. Writers of several
   * tasks share the file; lines are never interleaved.
   *
   * @param name sink name
   * @param file the output file
   * @param <T> value type
   * @return the sink
   */
  public static <T> Sink<T> jsonLines(String name, Path file) {
    @SuppressWarnings("unchecked")
    Serde<T> serde = (Serde<T>) Serdes.json(Object.class);
    return jsonLines(name, file, serde);
  }

  /**
   * @param name sink name
   * @param file the output file
   * @param serde writes each record's bytes (one line, no newline inside)
   * @param <T> value type
   * @return the sink
   */
  public static <T> Sink<T> jsonLines(String name, Path file, Serde<T> serde) {
    return new JsonLinesSink<>(Objects.requireNonNull(name, "name"), Objects.requireNonNull(file, "file"),
        Objects.requireNonNull(serde, "serde"));
  }

  /**
   * Calls {@code action} for every record, on the thread of the task that writes it. When the
   * pipeline runs several tasks (partitions, threads) the same action is called concurrently, so it
   * must be thread-safe. An exception thrown by the action follows the pipeline's error policy.
   *
   * <pre>{@code
   * stream.to(Sinks.forEach("audit", e -> log.info("saw {}", e)));
   * }</pre>
   *
   * @param name sink name, unique within the pipeline
   * @param action called once per record
   * @param <T> value type
   * @return the sink
   */
  public static <T> Sink<T> forEach(String name, Consumer<? super T> action) {
    return new ForEachSink<>(Objects.requireNonNull(name, "name"), Objects.requireNonNull(action, "action"));
  }

  private static String toJsonText(Object value) {
    if (value instanceof CharSequence) {
      return value.toString();
    }
    try {
      return Serdes.objectMapper().writeValueAsString(value);
    } catch (Exception e) {
      return String.valueOf(value);
    }
  }
}
