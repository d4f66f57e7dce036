package io.nip.cli;

import io.nip.errors.ConnectorException;
import io.nip.event.Headers;
import io.nip.examples.analytics.UserEventFeed;
import io.nip.sink.Sink;
import io.nip.sink.SinkContext;
import io.nip.sink.SinkWriter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.function.Consumer;

/**
 * Writes input lines into a Kinesis stream or a Pub/Sub topic through the connector's own sink
 * (KinesisSink, PubSubSink), outside any pipeline: each line is one record, its {@code user_id} the
 * record key (the Kinesis partition key; Pub/Sub messages go without ordering key) and its line
 * number the header {@value UserEventFeed#LINE_HEADER} (a Pub/Sub attribute; Kinesis records carry
 * no headers). A line too large for the platform (data and key) is refused before the write, as a
 * dead letter; a failed send stops the load. The
 * writer is flushed every {@code flushEvery} lines, so that records arrive at most that many lines
 * out of input order. Single-threaded: the sink reads the key and headers of the record being
 * written from this feed's context during {@code write}.
 */
final class PlatformFeed implements LineFeed {
  private final SinkWriter<byte[]> writer;
  private final int maxKeyChars;
  private final int maxRecordBytes;
  private final int flushEvery;
  private Object currentKey;
  private Headers currentHeaders = Headers.EMPTY;
  private long sent;

  /**
   * @param sink the stream's or topic's sink of raw bytes; the key and headers of a record come
   *     from {@link SinkContext#currentKey()} and {@link SinkContext#currentHeaders()}
   * @param pipeline the pipeline name the writer's context gives
   * @param maxKeyChars the longest key the platform takes; longer ones are replaced by their SHA-256
   * @param maxRecordBytes the largest record the platform takes, data and key together, in bytes
   * @param flushEvery lines written between two flushes of the sink
   */
  PlatformFeed(Sink<byte[]> sink, String pipeline, int maxKeyChars, int maxRecordBytes, int flushEvery) {
    this.maxKeyChars = maxKeyChars;
    this.maxRecordBytes = maxRecordBytes;
    this.flushEvery = flushEvery;
    this.writer = sink.createWriter(new SinkContext() {
      @Override
      public String pipelineName() {
        return pipeline;
      }

      @Override
      public String taskId() {
        return InputLoader.OPERATOR;
      }

      @Override
      public Instant currentTimestamp() {
        return null;
      }

      @Override
      public Object currentKey() {
        return currentKey;
      }

      @Override
      public Headers currentHeaders() {
        return currentHeaders;
      }
    });
  }

  @Override
  public void sendLine(byte[] line, long lineNumber, Consumer<Exception> tooLarge) {
    String key = safeKey(UserEventFeed.keyOf(line), maxKeyChars);
    currentKey = key != null ? key : "line-" + lineNumber;
    currentHeaders = Headers.EMPTY.with(UserEventFeed.LINE_HEADER, Long.toString(lineNumber));
    long size = (long) line.length + ((String) currentKey).getBytes(StandardCharsets.UTF_8).length;
    if (size > maxRecordBytes) { // checked here: any failure of the write itself must stop the load
      tooLarge.accept(new ConnectorException(String.format("a record of %,d bytes (data + key) exceeds the "
          + "platform's limit of %,d bytes", size, maxRecordBytes)));
      return;
    }
    writer.write(line); // a failed send (of this record's batch) propagates: nothing is counted as sent
    if (++sent % flushEvery == 0) {
      writer.flush();
    }
  }

  @Override
  public long sent() {
    return sent;
  }

  @Override
  public void close() {
    try (writer) {
      writer.flush();
    }
  }

  /**
   * @param key a record key, or null
   * @param maxChars the longest key the platform takes
   * @return the key, or for an empty or longer key its SHA-256 in hex (the same for each of a
   *     user's lines, so they stay together), or null
   */
  static String safeKey(String key, int maxChars) {
    if (key == null || (!key.isEmpty() && key.length() <= maxChars)) {
      return key;
    }
    try {
      return "sha256-" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }
}
