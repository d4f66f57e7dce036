package io.nip.pubsub.internal;

/*
 * The writer of one task of a PubSubSink: one client-library Publisher, which batches messages
 * (count, bytes, delay thresholds) and retries failed publish calls by its own retry settings.
 *
 * flush() (before the pipeline commits its source positions) publishes what is batched and waits for
 * every future; messages whose publish still failed are published again, with backoff, up to
 * maxAttempts, after which the flush fails with a ConnectorException and the pipeline replays from
 * its last checkpoint (at-least-once). With ordering keys a failed publish pauses its key in the
 * Publisher; the writer resumes the key before publishing again, so the key's later messages are not
 * refused for good.
 *
 * Threading: one task thread; the Publisher's own threads complete the futures.
 */

import com.google.api.core.ApiFuture;
import com.google.cloud.pubsub.v1.Publisher;
import com.google.pubsub.v1.PubsubMessage;
import io.nip.errors.ConnectorException;
import io.nip.sink.SinkWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Publishes the values of one task.
 *
 * @param <T> the value type
 */
public final class PublisherWriter<T> implements SinkWriter<T> {
  private record Sent(PubsubMessage message, ApiFuture<String> future) {}

  private final Publisher publisher;
  private final String sinkName;
  private final Function<T, PubsubMessage> toMessage;
  private final int maxAttempts;
  private final int maxInFlight;
  private final List<Sent> inFlight = new ArrayList<>();

  /**
   * @param publisher the task's Publisher, shut down with the writer
   * @param sinkName the sink's name, for messages
   * @param toMessage makes a value's message (data, ordering key, attributes)
   * @param maxAttempts publish attempts per message before a flush fails
   * @param maxInFlight messages published and not yet confirmed before a write waits for them
   */
  public PublisherWriter(Publisher publisher, String sinkName,
      Function<T, PubsubMessage> toMessage, int maxAttempts, int maxInFlight) {
    this.publisher = publisher;
    this.sinkName = sinkName;
    this.toMessage = toMessage;
    this.maxAttempts = maxAttempts;
    this.maxInFlight = maxInFlight;
  }

  @Override
  public void write(T value) {
    PubsubMessage m = toMessage.apply(value);
    inFlight.add(new Sent(m, publisher.publish(m)));
    if (inFlight.size() >= maxInFlight) {
      flush();
    }
  }

  @Override
  public void flush() {
    publisher.publishAllOutstanding();
    long backoff = 100;
    for (int attempt = 1; !inFlight.isEmpty(); attempt++) {
      List<Sent> failed = new ArrayList<>();
      Throwable last = null;
      for (Sent s : inFlight) {
        try {
          s.future().get();
        } catch (ExecutionException e) {
          failed.add(s);
          last = e.getCause();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new ConnectorException("pubsub sink '" + sinkName + "': interrupted while publishing", e);
        }
      }
      inFlight.clear();
      if (failed.isEmpty()) {
        return;
      }
      if (attempt >= maxAttempts) {
        throw new ConnectorException("pubsub sink '" + sinkName + "': " + failed.size() + " messages still failed after "
            + maxAttempts + " attempts: " + last, last);
      }
      sleep(backoff);
      backoff = Math.min(5_000, backoff * 2);
      for (Sent s : failed) {
        if (!s.message().getOrderingKey().isEmpty()) {
          publisher.resumePublish(s.message().getOrderingKey());
        }
        inFlight.add(new Sent(s.message(), publisher.publish(s.message())));
      }
      publisher.publishAllOutstanding();
    }
  }

  private void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ConnectorException("pubsub sink '" + sinkName + "': interrupted while retrying", e);
    }
  }

  @Override
  public void close() {
    try {
      flush();
    } finally {
      publisher.shutdown();
      try {
        publisher.awaitTermination(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
