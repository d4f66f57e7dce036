package io.nip.testing;

import io.nip.event.Headers;
import io.nip.source.Source;
import io.nip.source.SourceContext;
import io.nip.source.SourceOutput;
import io.nip.source.SourcePosition;
import io.nip.source.SourceReader;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The test driver's stand-in for one source of the pipeline: records piped here are read by the
 * pipeline exactly as if the source had produced them (same timestamps, watermarks, error policy).
 *
 * <pre>{@code
 * TestInput<Click> clicks = driver.input("clicks");
 * clicks.pipe(new Click("u1", "/home"), Instant.parse("2026-01-17T17:00:00Z"));
 * }</pre>
 *
 * @param <T> the value type
 */
public final class TestInput<T> {
  private final PipelineTestDriver driver;
  private final String name;
  /** Everything piped, by position: a reader created at a checkpointed position replays from there. */
  private final List<Object[]> log = new ArrayList<>();
  private boolean ended;
  /** How many logged records readers may see; the hostile driver reveals them one at a time. */
  private long visible = Long.MAX_VALUE;

  TestInput(PipelineTestDriver driver, String name) {
    this.driver = driver;
    this.name = name;
  }

  /** @return the name of the source this input stands for */
  public String name() {
    return name;
  }

  /**
   * Pipes a record whose event time comes from the pipeline's timestamp rules (e.g. an
   * {@code Event}'s own time).
   *
   * @param value the record
   * @return this
   */
  public TestInput<T> pipe(T value) {
    return pipe(value, null);
  }

  /**
   * Pipes a record with a source timestamp, then runs the pipeline until it settles.
   *
   * @param value the record
   * @param timestamp the source timestamp, or null for none
   * @return this
   */
  public TestInput<T> pipe(T value, Instant timestamp) {
    return pipe(value, timestamp, Headers.EMPTY);
  }

  /**
   * Pipes a record with a source timestamp and headers (as a Kafka record carries them), then runs
   * the pipeline until it settles.
   *
   * <pre>{@code
   * orders.pipe(order, T0, Headers.of("trace-id", "abc".getBytes(UTF_8)));
   * }</pre>
   *
   * @param value the record
   * @param timestamp the source timestamp, or null for none
   * @param headers the record's headers, not null
   * @return this
   */
  public TestInput<T> pipe(T value, Instant timestamp, Headers headers) {
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(headers, "headers");
    log.add(new Object[] {value, timestamp, null, null, headers});
    driver.settle();
    return this;
  }

  /**
   * Pipes bytes that failed to deserialize, as a connector would report them; the pipeline's error
   * policy decides what happens.
   *
   * @param rawBytes the bad bytes
   * @param error the reason
   * @return this
   */
  public TestInput<T> pipeFailure(byte[] rawBytes, Throwable error) {
    log.add(new Object[] {null, null, error, rawBytes});
    driver.settle();
    return this;
  }

  /**
   * @param values records piped one by one, without source timestamps
   * @return this
   */
  @SafeVarargs
  public final TestInput<T> pipeAll(T... values) {
    for (T v : values) {
      log.add(new Object[] {v, null, null, null, Headers.EMPTY});
    }
    driver.settle();
    return this;
  }

  /**
   * Moves this input's watermark to at least {@code watermark}, firing event-time timers and
   * windows downstream.
   *
   * @param watermark the new watermark
   * @return this
   */
  public TestInput<T> advanceWatermark(Instant watermark) {
    driver.advanceWatermark(name, watermark);
    return this;
  }

  /** Ends this input: its watermark moves to the end of time and downstream operators finish. */
  public void end() {
    ended = true;
    driver.settle();
  }

  /** Readers see only what {@link #revealOne} reveals from now on. */
  void revealStepwise() {
    visible = 0;
  }

  /** @return true when one more logged record became visible to readers */
  boolean revealOne() {
    if (visible < log.size()) {
      visible++;
      return true;
    }
    return false;
  }

  Source<T> asSource() {
    return new Source<>() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public int partitions() {
        return 1;
      }

      @Override
      public boolean isBounded() {
        return false;
      }

      @Override
      public SourceReader<T> createReader(int partition, SourceContext context, SourcePosition startPosition) {
        return new Reader(startPosition == null || startPosition.isNone() ? 0 : startPosition.offset());
      }
    };
  }

  private final class Reader implements SourceReader<T> {
    private long position;

    Reader(long start) {
      this.position = start;
    }

    @Override
    @SuppressWarnings("unchecked")
    public Status poll(SourceOutput<T> output, int maxRecords) {
      int n = 0;
      while (n < maxRecords && position < Math.min(log.size(), visible)) {
        Object[] r = log.get((int) position);
        long at = position++;
        if (r[2] != null) {
          output.fail((byte[]) r[3], at, (Throwable) r[2]);
        } else {
          Instant ts = (Instant) r[1];
          output.emit((T) r[0], null, (Headers) r[4], null, at,
              ts == null ? SourceOutput.NO_TIMESTAMP : ts.toEpochMilli());
        }
        n++;
      }
      if (position >= log.size() && ended) {
        return Status.END_OF_INPUT;
      }
      return n > 0 ? Status.MORE_AVAILABLE : Status.NOTHING_AVAILABLE;
    }

    @Override
    public SourcePosition position() {
      return SourcePosition.ofOffset(position);
    }

    @Override
    public void close() {}
  }
}
