package io.nip.runtime.internal;

import io.nip.errors.StateException;
import io.nip.serde.Serde;
import io.nip.time.TimeDomain;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * The timers of one operator in one task: event-time and processing-time timers per key and
 * namespace (a window, a pattern state, or none), part of the task's keyed state so that they are
 * snapshotted with the stores at every checkpoint and restored with them.
 *
 * <p>Design: a timer is (time, key, namespace), deduplicated, fired in time order; deleting is
 * lazy (see {@link TimerQueue}). Keys and namespaces are written with the operator's serdes in a
 * snapshot, so a restored pipeline (another process) fires exactly the timers the snapshot held.
 *
 * <p>Threading: confined to the task's thread.
 *
 * @param <N> the namespace type
 */
public final class TimerService<N> {
  private final String operator;
  private final Serde<Object> keySerde;
  private final Serde<N> namespaceSerde;
  private final TimerQueue eventTime = new TimerQueue();
  private final TimerQueue processingTime = new TimerQueue();

  TimerService(String operator, Serde<Object> keySerde, Serde<N> namespaceSerde) {
    this.operator = operator;
    this.keySerde = keySerde;
    this.namespaceSerde = namespaceSerde;
  }

  private TimerQueue queue(TimeDomain domain) {
    return domain == TimeDomain.EVENT_TIME ? eventTime : processingTime;
  }

  /**
   * Registers a timer; a duplicate of a live timer is ignored.
   *
   * @param domain event or processing time
   * @param timeMillis when it fires, epoch millis
   * @param key the key it belongs to
   * @param namespace what it is for within the key, or null
   */
  public void register(TimeDomain domain, long timeMillis, Object key, N namespace) {
    queue(domain).add(new TimerQueue.Timer(timeMillis, key, namespace));
  }

  /**
   * Deletes a timer if it is registered.
   *
   * @param domain event or processing time
   * @param timeMillis its time, epoch millis
   * @param key its key
   * @param namespace its namespace, or null
   */
  public void delete(TimeDomain domain, long timeMillis, Object key, N namespace) {
    queue(domain).delete(new TimerQueue.Timer(timeMillis, key, namespace));
  }

  /**
   * @param domain event or processing time
   * @param upToMillis inclusive bound, epoch millis
   * @return the earliest due timer, removed, or null when none is due
   */
  public TimerQueue.Timer pollDue(TimeDomain domain, long upToMillis) {
    return queue(domain).pollDue(upToMillis);
  }

  /** @return the number of live timers in both domains */
  public int size() {
    return eventTime.size() + processingTime.size();
  }

  void snapshot(DataOutputStream out) throws IOException {
    write(out, eventTime);
    write(out, processingTime);
  }

  private void write(DataOutputStream out, TimerQueue q) throws IOException {
    var live = q.snapshot();
    out.writeInt(live.size());
    for (TimerQueue.Timer t : live) {
      out.writeLong(t.time());
      Bytes.write(out, keySerde.serialize(t.key()));
      if (t.namespace() == null) {
        out.writeBoolean(false);
      } else {
        if (namespaceSerde == null) {
          throw new StateException("timers of '" + operator + "' have a namespace but no namespace serde");
        }
        out.writeBoolean(true);
        @SuppressWarnings("unchecked")
        N ns = (N) t.namespace();
        Bytes.write(out, namespaceSerde.serialize(ns));
      }
    }
  }

  void restore(DataInputStream in) throws IOException {
    eventTime.clear();
    processingTime.clear();
    read(in, eventTime);
    read(in, processingTime);
  }

  private void read(DataInputStream in, TimerQueue q) throws IOException {
    int n = in.readInt();
    for (int i = 0; i < n; i++) {
      long time = in.readLong();
      Object key = keySerde.deserialize(Bytes.read(in));
      N ns = in.readBoolean() ? namespaceSerde.deserialize(Bytes.read(in)) : null;
      q.add(new TimerQueue.Timer(time, key, ns));
    }
  }
}
