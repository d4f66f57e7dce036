package io.nip.pubsub.internal;

/*
 * One StreamingPull stream of a subscription, driven directly through the generated gRPC stub.
 *
 * Why not the client library's Subscriber: it acks as soon as a receiver says so, which is what the
 * reader needs, but it ends its stream by cancelling it (an HTTP/2 RST_STREAM). The official
 * emulator fails to process such a cancellation and keeps pushing the subscription's messages into
 * the dead stream, so a second reader of the same subscription would never see them. This session
 * ends its stream the graceful way — it half-closes and waits for the server to complete it — and
 * cancels only when the server does not answer within a few seconds.
 *
 * What it does: sends the initial request (subscription, stream ack deadline, the server-side
 * flow-control limit maxOutstandingMessages); asks gRPC for one response at a time, and for the
 * next only while fewer than maxOutstandingMessages messages are delivered and not yet acked
 * (client-side flow control, so a slow pipeline stops the pull); sends acks and ack-deadline
 * extensions on the stream; reopens the stream with backoff when the server ends it with an error
 * (messages delivered on the broken stream are redelivered by Pub/Sub; acking them later is
 * harmless).
 *
 * Threading: gRPC threads call the observer (deliveries go to the consumer callback); acks and
 * extensions come from the task thread and the extension timer. Sends on the stream are serialized
 * by `lock`; `outstanding` is the count the flow control uses.
 */

import com.google.api.gax.rpc.ClientStream;
import com.google.api.gax.rpc.ResponseObserver;
import com.google.api.gax.rpc.StreamController;
import com.google.cloud.pubsub.v1.stub.GrpcSubscriberStub;
import com.google.pubsub.v1.ModifyAckDeadlineRequest;
import com.google.pubsub.v1.ReceivedMessage;
import com.google.pubsub.v1.StreamingPullRequest;
import com.google.pubsub.v1.StreamingPullResponse;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/** A StreamingPull stream with flow control, acks, deadline extensions and a graceful end. */
public final class StreamingPullSession implements AutoCloseable {
  private static final int MAX_IDS_PER_REQUEST = 2_000;

  private final GrpcSubscriberStub stub;
  private final String subscription;
  private final int ackDeadlineSeconds;
  private final int maxOutstanding;
  private final Consumer<ReceivedMessage> deliveries;
  private final Consumer<Throwable> failures;
  private final String clientId = UUID.randomUUID().toString();
  private final AtomicInteger outstanding = new AtomicInteger();
  private final ScheduledExecutorService timer;
  private final Object lock = new Object();
  private ClientStream<StreamingPullRequest> stream;
  private StreamController controller;
  private CountDownLatch completed;
  private boolean requested;
  private volatile boolean closing;
  /** Whether the stream was half-closed: nothing more can be sent on it (under {@code lock}). */
  private boolean halfClosed;
  private int consecutiveErrors;

  /**
   * Opens the stream.
   *
   * @param stub the subscriber stub, closed with the session
   * @param subscription projects/P/subscriptions/S
   * @param ackDeadlineSeconds the stream's ack deadline (10 to 600)
   * @param maxOutstanding messages delivered and not yet acked before the pull stops
   * @param deliveries receives each message (on a gRPC thread)
   * @param failures receives the error that ended the stream for good
   */
  public StreamingPullSession(GrpcSubscriberStub stub, String subscription, int ackDeadlineSeconds, int maxOutstanding,
      Consumer<ReceivedMessage> deliveries, Consumer<Throwable> failures) {
    this.stub = stub;
    this.subscription = subscription;
    this.ackDeadlineSeconds = ackDeadlineSeconds;
    this.maxOutstanding = maxOutstanding;
    this.deliveries = deliveries;
    this.failures = failures;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "nip-pubsub-pull");
      t.setDaemon(true);
      return t;
    });
    open();
  }

  private void open() {
    synchronized (lock) {
      completed = new CountDownLatch(1);
      requested = false;
      stream = stub.streamingPullCallable().splitCall(new Observer(completed));
      stream.send(StreamingPullRequest.newBuilder().setSubscription(subscription)
          .setStreamAckDeadlineSeconds(ackDeadlineSeconds).setClientId(clientId)
          .setMaxOutstandingMessages(maxOutstanding).build());
    }
  }

  /** Runs {@code task} every {@code period} on the session's timer (ack-deadline extensions). */
  void every(long periodMillis, Runnable task) {
    timer.scheduleWithFixedDelay(task, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
  }

  /** @param ackIds messages done with: acked, and no longer counted by flow control */
  public void ack(Collection<String> ackIds) {
    send(ackIds, true, 0);
    release(ackIds.size());
  }

  /** @param ackIds messages handed back: delivered again at once, no longer counted */
  public void nack(Collection<String> ackIds) {
    send(ackIds, false, 0);
    release(ackIds.size());
  }

  /**
   * @param ackIds held messages whose deadline to extend
   * @param seconds the new deadline from now
   */
  public void extend(Collection<String> ackIds, int seconds) {
    send(ackIds, false, seconds);
  }

  private void send(Collection<String> ackIds, boolean ack, int seconds) {
    if (ackIds.isEmpty()) {
      return;
    }
    List<String> ids = List.copyOf(ackIds);
    synchronized (lock) {
      for (int from = 0; from < ids.size(); from += MAX_IDS_PER_REQUEST) {
        List<String> part = ids.subList(from, Math.min(ids.size(), from + MAX_IDS_PER_REQUEST));
        StreamingPullRequest.Builder r = StreamingPullRequest.newBuilder();
        if (ack) {
          r.addAllAckIds(part);
        } else {
          r.addAllModifyDeadlineAckIds(part);
          for (int i = 0; i < part.size(); i++) {
            r.addModifyDeadlineSeconds(seconds);
          }
        }
        try {
          stream.send(r.build());
        } catch (RuntimeException e) {
          // the stream broke: Pub/Sub redelivers these messages; the reopened stream carries on
        }
      }
    }
  }

  /**
   * Stops handing out messages: what the server sends from now on is nacked at once (Pub/Sub then
   * delivers it again to another reader without waiting for its ack deadline). When this returns,
   * no delivery to the consumer is under way, so a reader can gather what it holds and nack it.
   */
  public void stopDelivering() {
    synchronized (lock) {
      closing = true;
    }
  }

  /** Nacks messages that arrived after {@link #stopDelivering}: on the stream while it is open. */
  private void nackLate(List<String> ids) {
    if (ids.isEmpty()) {
      return;
    }
    if (!halfClosed) {
      send(ids, false, 0);
      return;
    }
    try {
      stub.modifyAckDeadlineCallable().futureCall(ModifyAckDeadlineRequest.newBuilder()
          .setSubscription(subscription).addAllAckIds(ids).setAckDeadlineSeconds(0).build());
    } catch (RuntimeException e) {
      // the channel is going away: these come back after their ack deadline
    }
  }

  private void release(int n) {
    outstanding.addAndGet(-n);
    requestMore();
  }

  /** Asks for the next response when the flow-control limit allows it. */
  private void requestMore() {
    synchronized (lock) {
      if (!requested && controller != null && !closing && outstanding.get() < maxOutstanding) {
        requested = true;
        controller.request(1);
      }
    }
  }

  private final class Observer implements ResponseObserver<StreamingPullResponse> {
    private final CountDownLatch done;

    Observer(CountDownLatch done) {
      this.done = done;
    }

    @Override
    public void onStart(StreamController c) {
      c.disableAutoInboundFlowControl();
      synchronized (lock) {
        controller = c;
      }
      requestMore();
    }

    @Override
    public void onResponse(StreamingPullResponse response) {
      synchronized (lock) {
        requested = false;
        consecutiveErrors = 0;
        if (closing) {
          // the reader stopped taking messages: give these back at once instead of leaving them to
          // their ack deadline
          List<String> ids = new ArrayList<>(response.getReceivedMessagesCount());
          for (ReceivedMessage m : response.getReceivedMessagesList()) {
            ids.add(m.getAckId());
          }
          nackLate(ids);
          return;
        }
        // delivered under the lock: once stopDelivering returned, no delivery is still under way
        outstanding.addAndGet(response.getReceivedMessagesCount());
        for (ReceivedMessage m : response.getReceivedMessagesList()) {
          deliveries.accept(m);
        }
      }
      requestMore();
    }

    @Override
    public void onError(Throwable t) {
      done.countDown();
      if (closing) {
        return;
      }
      int errors;
      synchronized (lock) {
        controller = null;
        errors = ++consecutiveErrors;
      }
      if (errors > 10) {
        failures.accept(t);
        return;
      }
      outstanding.set(0); // what the broken stream delivered comes again
      timer.schedule(StreamingPullSession.this::reopen, Math.min(5_000, 100L << errors), TimeUnit.MILLISECONDS);
    }

    @Override
    public void onComplete() {
      done.countDown();
      if (!closing) {
        onError(new IllegalStateException("the server ended the StreamingPull stream"));
      }
    }
  }

  private void reopen() {
    if (!closing) {
      try {
        open();
      } catch (RuntimeException e) {
        failures.accept(e);
      }
    }
  }

  /** Ends the stream gracefully (half-close, then wait for the server), cancelling after 5 s. */
  @Override
  public void close() {
    closing = true;
    timer.shutdownNow();
    CountDownLatch done;
    synchronized (lock) {
      done = completed;
      halfClosed = true;
      try {
        stream.closeSend();
      } catch (RuntimeException e) {
        // already broken
      }
    }
    try {
      if (!done.await(5, TimeUnit.SECONDS)) {
        synchronized (lock) {
          if (controller != null) {
            controller.cancel();
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      stub.shutdown();
      try {
        stub.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      stub.close();
    }
  }
}
