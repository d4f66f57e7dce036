package io.nip.runtime.internal;

import io.nip.errors.StateException;
import io.nip.serde.Serde;
import io.nip.state.KeyValueStore;
import io.nip.state.StateChangelog;
import io.nip.state.StoreSpec;
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
 * lazy (see {@link TimerQueue}). Keys and namespaces are written with the operator's serdes, so a
 * restored pipeline (another process) fires exactly the timers that were checkpointed.
 *
 * <p>Two ways to checkpoint: with a state changelog the timers live in a store of the operator
 * ({@link #TIMER_STORE}, attached by {@link #keepIn}) whose changelog gets, at each checkpoint, only
 * the timers added or removed since the previous one ({@link #writeChanges}), like any keyed state, and
 * a restore reads the timers back from that store ({@link #reload}); a task's checkpoint metadata
 * then carries no timer, however many there are. Without a changelog (a checkpoint storage that
 * takes whole snapshots) they are written whole into the task's snapshot ({@link #snapshot}).
 *
 * <p>An operator whose timers follow from its state (a window's next phase is a function of the
 * window) may declare them derived ({@link #deriveFromState}): with a changelog they are then never
 * written, and the operator arms them again from its restored state ({@link Operator#restored}). A
 * timer store that still holds timers of an earlier checkpoint is emptied at the next checkpoint.
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
  /** The store that keeps the timers for the changelog, or null. */
  private KeyValueStore<StoredTimer, Long> store;
  /** The timer store's id, "operator/__timers". */
  private String storeId;
  /** Whether changes are also written to the store (a durable backend's local checkpoints need them). */
  private boolean writeStore;
  private StoredTimerSerde storedSerde;
  /** The operator arms its timers again from its state after a restore: none goes to the changelog. */
  private boolean derived;
  /** With derived timers: the timer store holds timers of an earlier checkpoint, deleted at the next one. */
  private boolean obsoleteStored;

  /** The name of the store that keeps an operator's timers (a name no operator's own store may take). */
  static final String TIMER_STORE = "__timers";

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

  /** @return how the timer store writes its entries: domain, time, key, namespace; registration number */
  StoreSpec<StoredTimer, Long> storeSpec() {
    return StoreSpec.keyValue(TIMER_STORE, new StoredTimerSerde(), LONG_SERDE);
  }

  /**
   * Keeps the timers in a store from now on: the timers it holds replace the live ones, and every
   * change is tracked for {@link #writeChanges}.
   *
   * <p>The store is written only when {@code writeStore} (a durable backend, whose local checkpoints
   * must hold the timers); otherwise it holds only what a restore wrote into it, and the live timers
   * are in the queues alone (no second copy in memory).
   *
   * @param id the store's id, "operator/__timers"
   * @param timerStore the backend's store made from {@link #storeSpec()}, not change-tracked: the
   *     changes are made here
   * @param writeStore whether changes are written to the store as well
   */
  void keepIn(String id, KeyValueStore<StoredTimer, Long> timerStore, boolean writeStore) {
    this.storeId = id;
    this.store = timerStore;
    this.writeStore = writeStore;
    this.storedSerde = new StoredTimerSerde();
    eventTime.track();
    processingTime.track();
    reload();
  }

  /** @return true when the timers are kept in a store */
  boolean kept() {
    return store != null;
  }

  /**
   * Declares that the operator derives its timers from its state: with a changelog, no timer is
   * written to it from now on, and after every restore the timers are empty until the operator
   * arms them again in {@link Operator#restored} (it must, for every timer its state implies).
   * Without a changelog (whole snapshots) nothing changes: the timers are in the snapshot. Timers
   * live now are removed. Call once, when the operator opens.
   */
  public void deriveFromState() {
    if (store == null || derived) {
      return;
    }
    derived = true;
    eventTime.untrack();
    processingTime.untrack();
    obsoleteStored = holdsStored();
  }

  /**
   * Declares the operator's timers idempotent: it ignores a timer that is not its pending one when
   * it fires (a stale or duplicate one). Registering then never deduplicates and deleting does
   * nothing, so the timers need no index: a timer costs a heap push and pop, no map operation. The
   * number of timers ({@link #size}) then counts stale and duplicate ones until they fire. Timers
   * live now are removed; call once, when the operator opens, before {@link #deriveFromState}.
   */
  public void idempotent() {
    eventTime.unindexed();
    processingTime.unindexed();
  }

  private boolean holdsStored() {
    boolean[] any = {false};
    store.forEach((t, seq) -> any[0] = true);
    return any[0];
  }

  /** Replaces the live timers with those the timer store holds (after a restore wrote into it). */
  void reload() {
    eventTime.clear();
    processingTime.clear();
    if (derived) {
      obsoleteStored = holdsStored(); // the operator arms its timers again; stored ones are deleted
      return;
    }
    store.forEach((t, seq) -> (t.eventTime() ? eventTime : processingTime)
        .addRestored(new TimerQueue.Timer(t.time(), t.key(), t.namespace()), seq));
  }

  /**
   * Hands over the timers added and removed since the last call as changes of the timer store (and
   * writes them to it when it is written).
   *
   * @param out receives the changes
   */
  void writeChanges(java.util.List<StateChangelog.Change> out) {
    if (derived) {
      if (obsoleteStored) {
        java.util.List<StoredTimer> stored = new java.util.ArrayList<>();
        store.forEach((t, seq) -> stored.add(t));
        for (StoredTimer t : stored) {
          out.add(new StateChangelog.Change(storeId, storedSerde.serialize(t), null, Long.MAX_VALUE));
          store.delete(t);
        }
        obsoleteStored = false;
      }
      return;
    }
    eventTime.drainChanges((t, seq) -> added(out, StoredTimer.of(true, t), seq),
        t -> removed(out, StoredTimer.of(true, t)));
    processingTime.drainChanges((t, seq) -> added(out, StoredTimer.of(false, t), seq),
        t -> removed(out, StoredTimer.of(false, t)));
  }

  private void added(java.util.List<StateChangelog.Change> out, StoredTimer t, long seq) {
    byte[] key = storedSerde.serialize(t);
    byte[] value = LONG_SERDE.serialize(seq);
    out.add(new StateChangelog.Change(storeId, key, value, Long.MAX_VALUE));
    if (writeStore && !store.putRestoredSerialized(key, value, Long.MAX_VALUE)) {
      store.put(t, seq);
    }
  }

  private void removed(java.util.List<StateChangelog.Change> out, StoredTimer t) {
    byte[] key = storedSerde.serialize(t);
    out.add(new StateChangelog.Change(storeId, key, null, Long.MAX_VALUE));
    if (writeStore && !store.deleteRestoredSerialized(key)) {
      store.delete(t);
    }
  }

  /** @return true when a timer was added or removed since the last {@link #writeChanges} */
  boolean hasChanges() {
    return derived ? obsoleteStored : eventTime.hasChanges() || processingTime.hasChanges();
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
    add(in);
  }

  /**
   * Adds the timers of a snapshot section to the live ones (a checkpoint written before timers
   * were kept in a store: they are written to it at the next checkpoint).
   *
   * @param in a section {@link #snapshot} wrote
   * @throws IOException when it is corrupt
   */
  void add(DataInputStream in) throws IOException {
    if (derived) {
      return; // the operator arms its timers from its restored state
    }
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

  /**
   * A timer as the timer store keys it.
   *
   * @param eventTime true for event time, false for processing time
   * @param time epoch millis
   * @param key the key it belongs to
   * @param namespace what it is for within the key, or null
   */
  record StoredTimer(boolean eventTime, long time, Object key, Object namespace) {
    static StoredTimer of(boolean eventTime, TimerQueue.Timer t) {
      return new StoredTimer(eventTime, t.time(), t.key(), t.namespace());
    }
  }

  private static final Serde<Long> LONG_SERDE = new Serde<>() {
    @Override
    public byte[] serialize(Long value) {
      return java.nio.ByteBuffer.allocate(8).putLong(value).array();
    }

    @Override
    public Long deserialize(byte[] bytes) {
      if (bytes.length != 8) {
        throw new StateException("corrupt timer entry: " + bytes.length + " bytes for a registration number");
      }
      return java.nio.ByteBuffer.wrap(bytes).getLong();
    }
  };

  /**
   * Domain (1 byte), time (8 bytes, sign bit flipped so that byte order is time order), key
   * (length and bytes), namespace (-1, or length and bytes): a durable store keeps each domain's
   * timers in time order.
   */
  private final class StoredTimerSerde implements Serde<StoredTimer> {
    @Override
    public byte[] serialize(StoredTimer t) {
      byte[] key = keySerde.serialize(t.key());
      byte[] ns = null;
      if (t.namespace() != null) {
        if (namespaceSerde == null) {
          throw new StateException("timers of '" + operator + "' have a namespace but no namespace serde");
        }
        @SuppressWarnings("unchecked")
        N n = (N) t.namespace();
        ns = namespaceSerde.serialize(n);
      }
      java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1 + 8 + 4 + key.length + 4 + (ns == null ? 0 : ns.length));
      b.put((byte) (t.eventTime() ? 0 : 1)).putLong(t.time() ^ Long.MIN_VALUE).putInt(key.length).put(key);
      b.putInt(ns == null ? -1 : ns.length);
      if (ns != null) {
        b.put(ns);
      }
      return b.array();
    }

    @Override
    public StoredTimer deserialize(byte[] bytes) {
      try {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes);
        boolean eventTime = b.get() == 0;
        long time = b.getLong() ^ Long.MIN_VALUE;
        byte[] key = new byte[b.getInt()];
        b.get(key);
        int nsLength = b.getInt();
        Object ns = null;
        if (nsLength >= 0) {
          byte[] nsBytes = new byte[nsLength];
          b.get(nsBytes);
          ns = namespaceSerde.deserialize(nsBytes);
        }
        if (b.hasRemaining()) {
          throw new StateException("corrupt timer entry of '" + operator + "': " + b.remaining() + " bytes left over");
        }
        return new StoredTimer(eventTime, time, keySerde.deserialize(key), ns);
      } catch (RuntimeException e) {
        if (e instanceof StateException) {
          throw e;
        }
        throw new StateException("corrupt timer entry of '" + operator + "' (" + bytes.length + " bytes): " + e, e);
      }
    }
  }
}
