package io.nip.pubsub.internal;

/*
 * Reads one task's share of a Pub/Sub subscription over a StreamingPull stream.
 *
 * Why acks wait: Pub/Sub forgets a message once it is acked, so the reader acks only what a
 * completed checkpoint covers. Each delivered message gets the next number of this reader (its
 * offset position); the runtime calls commit(offset) once the checkpoint whose position is that
 * offset completed (its records reached the sinks and were flushed), and the reader acks every held
 * message below it. Until then a timer extends the ack deadlines of held and queued messages every
 * half deadline, for at most maxAckExtension. A crash leaves them unacked: Pub/Sub delivers them
 * again (at-least-once).
 *
 * Backpressure: the session pulls only while fewer than maxOutstandingMessages messages are
 * delivered and not acked — queued here, in the pipeline, or waiting for their checkpoint. The
 * hand-over queue has that capacity, so a delivery never blocks.
 *
 * Order: one stream per reader and a FIFO queue, so the order in which Pub/Sub delivers one ordering
 * key's messages (publish order, on a subscription with message ordering) is the order of emission.
 *
 * Threading: gRPC threads deliver (queue, redelivery count, listener); poll, position and commit run
 * on the task's thread (commit after the end also on the runner thread); the timer extends
 * deadlines. The held deque is guarded by its own lock; the queue is concurrent.
 */

import com.google.pubsub.v1.PubsubMessage;
import com.google.pubsub.v1.ReceivedMessage;
import io.micrometer.core.instrument.Counter;
import io.nip.errors.ConnectorException;
import io.nip.event.Headers;
import io.nip.serde.Serde;
import io.nip.source.SourceContext;
import io.nip.source.SourceOutput;
import io.nip.source.SourcePosition;
import io.nip.source.SourceReader;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The reader of one Pub/Sub task.
 *
 * @param <T> the value type
 */
public final class PubSubTaskReader<T> implements SourceReader<T> {

  /**
   * Settings of a reader.
   *
   * @param subscription the full subscription name, projects/P/subscriptions/S
   * @param maxOutstandingMessages flow control: messages delivered and not yet acked
   * @param ackDeadline the stream's ack deadline, renewed while a message is held
   * @param maxAckExtension how long a held message's ack deadline is extended at most
   * @param boundedIdle in bounded mode, how long without a delivery ends the task; null when unbounded
   */
  public record Settings(String subscription, int maxOutstandingMessages, Duration ackDeadline,
      Duration maxAckExtension, Duration boundedIdle) {}

  private record Delivery(ReceivedMessage received, long arrivedNanos) {}

  private record Held(long number, String ackId, long arrivedNanos) {}

  private final String sourceName;
  private final Serde<T> serde;
  private final Settings settings;
  private final RedeliveryTracker redeliveries;
  private final LinkedBlockingQueue<Delivery> queue = new LinkedBlockingQueue<>();
  private final ArrayDeque<Held> held = new ArrayDeque<>();
  private final StreamingPullSession session;
  private final Counter acked;
  private volatile Throwable failure;
  private volatile Runnable listener;
  private volatile long lastDeliveryNanos = System.nanoTime();
  private long next;
  private boolean ended;

  /**
   * Opens the stream.
   *
   * @param sourceName the source's name, for metrics and messages
   * @param serde turns message data into values
   * @param settings the reader's settings
   * @param channels how to reach Pub/Sub
   * @param redeliveries counts messages delivered again
   * @param start the position a checkpoint recorded (numbering continues there), or NONE
   * @param context the runtime's services (metrics)
   * @throws ConnectorException when the stream cannot be opened
   */
  public PubSubTaskReader(String sourceName, Serde<T> serde, Settings settings, PubSubChannels channels,
      RedeliveryTracker redeliveries, SourcePosition start, SourceContext context) {
    this.sourceName = sourceName;
    this.serde = serde;
    this.settings = settings;
    this.redeliveries = redeliveries;
    this.next = SourcePosition.offsetOr(start, 0);
    this.acked = Counter.builder("nip.pubsub.acked").description("messages acked after their checkpoint completed")
        .tag("pipeline", context.pipelineName()).tag("source", sourceName).register(context.meterRegistry());
    try {
      this.session = new StreamingPullSession(channels.subscriberStub(), settings.subscription(),
          (int) settings.ackDeadline().toSeconds(), settings.maxOutstandingMessages(), this::receive, this::failed);
    } catch (IOException | RuntimeException e) {
      throw new ConnectorException("pubsub source '" + sourceName + "': cannot pull from " + settings.subscription()
          + ": " + e.getMessage(), e);
    }
    long period = settings.ackDeadline().toMillis() / 2;
    session.every(period, this::extendDeadlines);
  }

  private void receive(ReceivedMessage m) {
    redeliveries.delivered(m.getMessage(), m.getDeliveryAttempt() == 0 ? null : m.getDeliveryAttempt());
    long now = System.nanoTime();
    queue.add(new Delivery(m, now));
    lastDeliveryNanos = now;
    wake();
  }

  private void failed(Throwable t) {
    failure = t;
    wake();
  }

  private void wake() {
    Runnable l = listener;
    if (l != null) {
      l.run();
    }
  }

  private void extendDeadlines() {
    long oldest = System.nanoTime() - settings.maxAckExtension().toNanos();
    List<String> ids = new ArrayList<>();
    synchronized (held) {
      for (Held h : held) {
        if (h.arrivedNanos() > oldest) {
          ids.add(h.ackId());
        }
      }
    }
    for (Delivery d : queue) {
      if (d.arrivedNanos() > oldest) {
        ids.add(d.received().getAckId());
      }
    }
    session.extend(ids, (int) settings.ackDeadline().toSeconds());
  }

  @Override
  public void onAvailable(Runnable listener) {
    this.listener = listener;
  }

  @Override
  public Status poll(SourceOutput<T> output, int maxRecords) {
    Throwable f = failure;
    if (f != null) {
      throw new ConnectorException("pubsub source '" + sourceName + "': pulling from " + settings.subscription()
          + " failed: " + f.getMessage(), f);
    }
    if (ended) {
      return Status.END_OF_INPUT;
    }
    int n = 0;
    Delivery d;
    while (n < maxRecords && (d = queue.poll()) != null) {
      long number = next++;
      synchronized (held) {
        held.addLast(new Held(number, d.received().getAckId(), d.arrivedNanos()));
      }
      emit(d.received().getMessage(), number, output);
      n++;
    }
    if (n > 0) {
      return Status.MORE_AVAILABLE;
    }
    if (settings.boundedIdle() != null && queue.isEmpty()
        && System.nanoTime() - lastDeliveryNanos > settings.boundedIdle().toNanos()) {
      ended = true;
      return Status.END_OF_INPUT;
    }
    return Status.NOTHING_AVAILABLE;
  }

  private void emit(PubsubMessage m, long number, SourceOutput<T> output) {
    byte[] data = m.getData().toByteArray();
    Headers headers = Headers.EMPTY;
    if (m.getAttributesCount() > 0) {
      Headers.Builder hb = Headers.builder();
      for (Map.Entry<String, String> a : m.getAttributesMap().entrySet()) {
        hb.add(a.getKey(), a.getValue());
      }
      headers = hb.build();
    }
    T value;
    try {
      value = serde.deserialize(data, headers); // attributes are the headers (a schema id, a version)
    } catch (RuntimeException e) {
      output.fail(data, headers, number, e); // held like any other: acked once its checkpoint completed
      return;
    }
    long publishMillis = m.hasPublishTime()
        ? m.getPublishTime().getSeconds() * 1000 + m.getPublishTime().getNanos() / 1_000_000
        : SourceOutput.NO_TIMESTAMP;
    String key = m.getOrderingKey().isEmpty() ? null : m.getOrderingKey();
    output.emit(value, key, headers, data, number, publishMillis);
  }

  @Override
  public SourcePosition position() {
    return SourcePosition.ofOffset(next);
  }

  /** Acks every held message numbered below {@code offset}: a completed checkpoint covers them. */
  @Override
  public void commit(long offset) {
    List<String> ids = new ArrayList<>();
    synchronized (held) {
      while (!held.isEmpty() && held.peekFirst().number() < offset) {
        ids.add(held.pollFirst().ackId());
      }
    }
    session.ack(ids);
    acked.increment(ids.size());
  }

  /** Nacks what is held or queued (Pub/Sub delivers it again at once) and ends the stream. */
  @Override
  public void close() {
    session.stopDelivering(); // from here on the session nacks what arrives; nothing more reaches the queue
    List<String> ids = new ArrayList<>();
    synchronized (held) {
      held.forEach(h -> ids.add(h.ackId()));
      held.clear();
    }
    Delivery d;
    while ((d = queue.poll()) != null) {
      ids.add(d.received().getAckId());
    }
    session.nack(ids);
    session.close();
  }
}
