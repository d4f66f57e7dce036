package io.nip.cli;

import io.nip.errors.DeadLetter;
import io.nip.examples.DeadLetterJson;
import io.nip.examples.StreamingPlatform;
import io.nip.serde.Serde;
import io.nip.sink.Sink;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * A Kinesis or Pub/Sub server the demo starts for one run, as it starts the embedded Kafka broker:
 * the exercise's streams on it, a feed that loads the input lines, and the job's source and sinks
 * ({@link StreamingPlatform}). Closing it stops the server, whose streams are then gone.
 */
interface DemoPlatform extends StreamingPlatform, AutoCloseable {
  /**
   * {@inheritDoc} A null {@code key} leaves the platform's default (a counter, no ordering key).
   */
  @Override
  <R> Sink<R> sink(String stream, Serde<R> serde, Function<? super R, String> key);

  /**
   * Creates the input, results and dead-letter streams (topics and the input's subscription).
   *
   * @param input the input stream
   * @param output the results stream
   * @param dlq the dead-letter stream
   */
  void createStreams(String input, String output, String dlq);

  /**
   * @param stream the stream the lines go to
   * @param pipeline the pipeline name the feed's context gives
   * @return a feed of that stream
   */
  LineFeed feed(String stream, String pipeline);

  /** @return the largest record the input stream takes, in bytes, key included */
  int maxRecordBytes();

  /** @return why a line may be no larger, for the message of a too-large line */
  String limit();

  /** @return the server, for the summary, e.g. {@code kinesis-local at http://127.0.0.1:4567} */
  String description();

  /**
   * @param stream the dead-letter stream
   * @return a sink of dead letters as {@link DeadLetterJson} records, without a key
   */
  @Override
  default Sink<DeadLetter> deadLetters(String stream) {
    return sink(stream, new DeadLetterJson(), null);
  }

  /** Stops the server. */
  @Override
  void close();

  /**
   * Starts the platform's local server.
   *
   * @param platform {@link Platform#KINESIS} or {@link Platform#PUBSUB}
   * @return the running server
   * @throws NipCommand.UsageException when the server is not installed, naming how to install it
   */
  static DemoPlatform start(Platform platform) {
    try {
      return switch (platform) {
        case KINESIS -> KinesisDemoPlatform.start(servicesDirectory());
        case PUBSUB -> PubSubDemoPlatform.start();
        case KAFKA -> throw new IllegalArgumentException("Kafka runs on the embedded broker");
      };
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the local " + platform.title() + " server: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting the local " + platform.title() + " server", e);
    }
  }

  /**
   * @return the {@code .services/} directory of the repository nip.jar (or these classes) was built
   *     in, where {@code ./run-tests} installs kinesis-local; else the one above the working directory
   */
  static Path servicesDirectory() {
    try {
      Path here = Path.of(DemoPlatform.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      for (Path d = here.toAbsolutePath(); d != null; d = d.getParent()) {
        if (Files.exists(d.resolve("run-tests"))) {
          return d.resolve(".services");
        }
      }
    } catch (URISyntaxException | RuntimeException e) {
      // no code source (e.g. an unusual class loader): fall back to the working directory
    }
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      if (Files.exists(d.resolve("run-tests"))) {
        return d.resolve(".services");
      }
    }
    return Path.of(".services").toAbsolutePath();
  }
}
