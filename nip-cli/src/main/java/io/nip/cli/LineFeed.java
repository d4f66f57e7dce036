package io.nip.cli;

import io.nip.examples.analytics.UserEventFeed;
import java.util.function.Consumer;

/**
 * Where {@link InputLoader} writes the lines of {@code --input}: the input topic of Kafka, or the
 * input stream or topic of another platform ({@link PlatformFeed}). One record per line, keyed by
 * its {@code user_id} when it has a string one, with its 1-based line number in the header
 * {@value UserEventFeed#LINE_HEADER} where the platform carries headers. Used by one thread.
 */
interface LineFeed extends AutoCloseable {
  /**
   * Sends one line; may be asynchronous.
   *
   * @param line the line's bytes, unchanged
   * @param lineNumber its 1-based number in the file
   * @param tooLarge called (possibly on another thread) when the platform refuses the record as too
   *     large, with its error
   */
  void sendLine(byte[] line, long lineNumber, Consumer<Exception> tooLarge);

  /** @return lines sent so far */
  long sent();

  /** Waits until every line sent was acknowledged; fails when one could not be written. */
  @Override
  void close();

  /**
   * @param feed a Kafka feed of the input topic
   * @return the feed as a line feed
   */
  static LineFeed of(UserEventFeed feed) {
    return new LineFeed() {
      @Override
      public void sendLine(byte[] line, long lineNumber, Consumer<Exception> tooLarge) {
        feed.sendLine(line, lineNumber, tooLarge::accept);
      }

      @Override
      public long sent() {
        return feed.sent();
      }

      @Override
      public void close() {
        feed.close();
      }
    };
  }
}
