package io.nip.cli;

import io.nip.errors.DeadLetter;
import io.nip.errors.SerializationException;
import io.nip.event.Headers;
import io.nip.examples.analytics.UserEventFeed;
import io.nip.kafka.KafkaDeadLetterSink;
import io.nip.sink.SinkContext;
import io.nip.sink.SinkWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import org.apache.kafka.common.errors.RecordTooLargeException;

/**
 * Writes the lines of {@code --input} into the input topic, one record per non-empty line with
 * its line number in the header {@value UserEventFeed#LINE_HEADER}, so that a line the pipeline's
 * parser rejects later is still named by its line in the dead letters. Two kinds of line never
 * reach the topic and become dead letters here, with their line number, instead of ending the
 * load: bytes that are not UTF-8 (the reason names the first bad byte and its position) and lines
 * larger than a Kafka record may be (the reason names both sizes; only the first
 * {@value #PREVIEW_BYTES} bytes are kept, and never more than that is held in memory). A record
 * the broker still refuses as too large (e.g. a topic with a smaller limit than it reported) is
 * turned into a dead letter the same way once the producer reports it. Single-threaded, apart
 * from those reports, which arrive on the producer's thread and are queued.
 */
final class InputLoader {
  /** The operator name of the loader's dead letters. */
  static final String OPERATOR = "input-file";
  /** Bytes of a too-large line kept in its dead letter. */
  static final int PREVIEW_BYTES = 1024;
  /** Room left in a Kafka record for its key, the line header and the batch framing. */
  static final int RECORD_OVERHEAD = 256;

  /**
   * What the load did.
   *
   * @param lines non-empty lines read
   * @param sent lines written to the input topic and acknowledged
   * @param notUtf8 lines refused because they are not UTF-8
   * @param tooLarge lines refused because they are larger than a Kafka record may be
   */
  record Result(long lines, long sent, long notUtf8, long tooLarge) {
    /** @return lines that became dead letters here */
    long rejected() {
      return notUtf8 + tooLarge;
    }
  }

  private final Path input;
  private final String topic;
  private final String pipeline;
  private final int maxRecordBytes;
  private final Consumer<DeadLetter> deadLetters;
  private final String platform;
  private final String limit;
  private final Queue<DeadLetter> refusedByPlatform = new ConcurrentLinkedQueue<>();
  private long lines;
  private long notUtf8;
  private long tooLarge;

  /**
   * @param input the JSON-lines file
   * @param topic the topic the lines go to (named in the messages)
   * @param pipeline the pipeline name the dead letters carry
   * @param maxRecordBytes the largest record the input topic takes, in bytes, key, headers and
   *     framing included
   * @param deadLetters receives each refused line, on the calling thread
   */
  InputLoader(Path input, String topic, String pipeline, int maxRecordBytes, Consumer<DeadLetter> deadLetters) {
    this(input, topic, pipeline, maxRecordBytes, deadLetters, "Kafka", String.format("Kafka takes records of at most"
        + " %,d bytes (max.message.bytes of topic %s, the producer's max.request.size), key, headers and framing"
        + " included", maxRecordBytes, topic));
  }

  /**
   * @param input the JSON-lines file
   * @param stream the stream or topic the lines go to (named in the messages)
   * @param pipeline the pipeline name the dead letters carry
   * @param maxRecordBytes the largest record the platform takes, in bytes, key and framing included
   * @param deadLetters receives each refused line, on the calling thread
   * @param platform the platform's name, for the messages ("Kinesis refused it")
   * @param limit why a line may not be larger, for the message of a too-large line
   */
  InputLoader(Path input, String stream, String pipeline, int maxRecordBytes, Consumer<DeadLetter> deadLetters,
      String platform, String limit) {
    this.input = input;
    this.topic = stream;
    this.pipeline = pipeline;
    this.maxRecordBytes = maxRecordBytes;
    this.deadLetters = deadLetters;
    this.platform = platform;
    this.limit = limit;
  }

  /**
   * Loads a file into a topic: every line as one record ({@link #load}), refused lines to the
   * dead-letter topic and, when given, the dead-letter file.
   *
   * @param feed the producer of {@code topic}; closed when the load ends
   * @param servers the cluster
   * @param input the JSON-lines file
   * @param topic the topic the lines go to; exists
   * @param dlqTopic the dead-letter topic; exists
   * @param pipeline the pipeline name the dead letters carry
   * @param maxRecordBytes the largest record {@code topic} takes, in bytes
   * @param file also receives the dead letters, or null
   * @param beforeEachLine called before each line (throws to stop the load)
   * @return what was loaded and refused
   */
  static Result loadFile(UserEventFeed feed, String servers, Path input, String topic, String dlqTopic, String pipeline,
      int maxRecordBytes, OutputFile<DeadLetter> file, Runnable beforeEachLine) {
    SinkWriter<DeadLetter> dlq = KafkaDeadLetterSink.create(dlqTopic, servers).createWriter(context(pipeline));
    try (dlq) {
      return new InputLoader(input, topic, pipeline, maxRecordBytes, d -> {
        dlq.write(d);
        if (file != null) {
          file.append(d, d.headers());
        }
      }).load(LineFeed.of(feed), beforeEachLine);
    }
  }

  /**
   * Loads a file into a stream of another platform than Kafka: every line as one record
   * ({@link #load}), refused lines to {@code dlq} and, when given, the dead-letter file.
   *
   * @param feed the stream's feed; closed when the load ends
   * @param dlq the platform's dead-letter sink
   * @param loader the loader, whose dead letters {@code dlq} and {@code file} receive
   * @param file also receives the dead letters, or null
   * @param beforeEachLine called before each line (throws to stop the load)
   * @return what was loaded and refused
   */
  static Result loadFile(LineFeed feed, io.nip.sink.Sink<DeadLetter> dlq, LoaderSpec loader, OutputFile<DeadLetter> file,
      Runnable beforeEachLine) {
    SinkWriter<DeadLetter> w = dlq.createWriter(context(loader.pipeline()));
    try (w) {
      Result r = new InputLoader(loader.input(), loader.stream(), loader.pipeline(), loader.maxRecordBytes(), d -> {
        w.write(d);
        if (file != null) {
          file.append(d, d.headers());
        }
      }, loader.platform(), loader.limit()).load(feed, beforeEachLine);
      w.flush();
      return r;
    }
  }

  /**
   * What a load into another platform needs besides its feed and sinks.
   *
   * @param input the JSON-lines file
   * @param stream the stream or topic the lines go to
   * @param pipeline the pipeline name the dead letters carry
   * @param maxRecordBytes the largest record the platform takes, in bytes
   * @param platform the platform's name
   * @param limit why a line may not be larger, for the message
   */
  record LoaderSpec(Path input, String stream, String pipeline, int maxRecordBytes, String platform, String limit) {}

  /** The loader writes dead letters outside any task. */
  private static SinkContext context(String pipeline) {
    return new SinkContext() {
      @Override
      public String pipelineName() {
        return pipeline;
      }

      @Override
      public String taskId() {
        return OPERATOR;
      }

      @Override
      public Instant currentTimestamp() {
        return null;
      }
    };
  }

  /** @return the largest line, in bytes, sent to Kafka */
  int maxLineBytes() {
    return maxRecordBytes - RECORD_OVERHEAD;
  }

  /**
   * Reads the whole file into {@code feed} and closes the feed (waiting for every record).
   *
   * @param feed the input topic's feed
   * @param beforeEachLine called before each line is read (throws to stop the load, e.g. on Ctrl-C)
   * @return what was loaded and refused
   * @throws UncheckedIOException when the file cannot be read
   */
  Result load(LineFeed feed, Runnable beforeEachLine) {
    try (feed; InputLines in = new InputLines(input, maxLineBytes() + 1)) {
      for (InputLines.Line line = in.next(); line != null; line = in.next()) {
        beforeEachLine.run();
        if (!line.isEmpty()) {
          lines++;
          offer(feed, line);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read --input " + input + ": " + e.getMessage(), e);
    }
    long refused = 0;
    for (DeadLetter d; (d = refusedByPlatform.poll()) != null; refused++) {
      deadLetters.accept(d);
    }
    tooLarge += refused;
    return new Result(lines, feed.sent() - refused, notUtf8, tooLarge);
  }

  private void offer(LineFeed feed, InputLines.Line line) {
    if (line.cut()) {
      tooLarge++;
      deadLetters.accept(deadLetter(line, RecordTooLargeException.class.getName(), String.format(
          "line %d is %,d bytes, more than the %,d bytes a line may have: %s; raw_record holds its first %,d bytes",
          line.number(), line.length(), maxLineBytes(), limit, PREVIEW_BYTES)));
      return;
    }
    int bad = line.firstInvalidUtf8();
    if (bad >= 0) {
      notUtf8++;
      deadLetters.accept(deadLetter(line, SerializationException.class.getName(), String.format(
          "line %d is not valid UTF-8: byte 0x%02x at offset %d of the line (offset %d of the file)",
          line.number(), line.bytes()[bad] & 0xff, bad, line.fileOffset() + bad)));
      return;
    }
    feed.sendLine(line.bytes(), line.number(), e -> refusedByPlatform.add(deadLetter(line,
        RecordTooLargeException.class.getName(), String.format("line %d is %,d bytes; %s refused it: %s",
            line.number(), line.length(), platform, e.getMessage()))));
  }

  /** A line too large for Kafka keeps only its first bytes: the dead-letter topic could not take it either. */
  private DeadLetter deadLetter(InputLines.Line line, String errorClass, String message) {
    boolean tooLargeLine = errorClass.equals(RecordTooLargeException.class.getName());
    byte[] raw = tooLargeLine && line.bytes().length > PREVIEW_BYTES
        ? Arrays.copyOf(line.bytes(), PREVIEW_BYTES) : line.bytes();
    return new DeadLetter(pipeline, OPERATOR, input.toString(), -1, -1, null, raw, null,
        errorClass, message, Instant.now(), Headers.EMPTY.with(UserEventFeed.LINE_HEADER, Long.toString(line.number())));
  }
}
