package io.nip.pubsub.internal;

/*
 * Counts messages Pub/Sub delivers more than once to a source: those whose delivery attempt (set
 * when the subscription has a dead-letter policy) is above 1, and those whose message id this source
 * saw before in this process (a bounded memory of recent ids, so a redelivery after a nack, an
 * expired ack deadline or a restart of one reader is counted too). A redelivery to a new process
 * without a dead-letter policy cannot be told from a first delivery and is not counted.
 *
 * Threading: called from the Subscribers' executor threads; the id memory is synchronized.
 */

import com.google.pubsub.v1.PubsubMessage;
import io.micrometer.core.instrument.Counter;
import java.util.LinkedHashMap;
import java.util.Map;

/** The redelivery counter of one source. */
public final class RedeliveryTracker {
  private final Counter counter;
  private final LinkedHashMap<String, Boolean> seen;

  /**
   * @param counter the metric to increment
   * @param memory how many recent message ids to remember
   */
  public RedeliveryTracker(Counter counter, int memory) {
    this.counter = counter;
    this.seen = new LinkedHashMap<>(1024, 0.75f, false) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
        return size() > memory;
      }
    };
  }

  /**
   * @param message a delivered message
   * @param deliveryAttempt its delivery attempt, or null when the subscription does not report it
   */
  public void delivered(PubsubMessage message, Integer deliveryAttempt) {
    boolean again;
    synchronized (seen) {
      again = seen.put(message.getMessageId(), Boolean.TRUE) != null;
    }
    if (again || (deliveryAttempt != null && deliveryAttempt > 1)) {
      counter.increment();
    }
  }

  /** @return how many redeliveries were counted */
  public long count() {
    return (long) counter.count();
  }
}
