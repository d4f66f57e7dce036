package io.nip.runtime.internal;

import io.nip.errors.StateException;
import io.nip.serde.Serde;
import io.nip.state.KeyValueStore;
import io.nip.state.StateBackend;
import io.nip.state.StateChangelog;
import io.nip.state.StoreSnapshot;
import io.nip.state.StoreSpec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The keyed state and timer service of one task: every store and every timer of every operator in
 * the task is created here, so that one call snapshots all of them at a checkpoint barrier and one
 * call restores them. Windows, keyed processors (and later patterns and joins) use the same service.
 *
 * <p>Design: stores come from the configured {@link StateBackend}, scoped by pipeline, task and
 * operator; a store is identified in a snapshot by "operator/store", a timer service by its
 * operator. A snapshot is a self-describing byte array (format version, then named sections), so
 * it can be stored by any {@code CheckpointStorage} and restored in another process.
 * With a changelog ({@link #enableChangelog}) an operator's timers are kept in a store of its own
 * ({@link TimerService#TIMER_STORE}), so that a checkpoint sends only the timers that changed and
 * the task's metadata carries none; sections of timers in a snapshot are then only those of an
 * older checkpoint, added to the restored timers and written to the store at the next checkpoint.
 * A store may be created lazily (a keyed processor asks for its value state on its first record):
 * a snapshot section whose store or timer service is not registered yet waits, and is restored
 * when the operator registers it. Sections nobody claims by the end of the run are simply unused.
 *
 * <p>Threading: confined to the task's thread.
 */
public final class KeyedStateService {
  private static final int FORMAT_VERSION = 1;
  /** A timer section with no event-time and no processing-time timer. */
  private static final byte[] EMPTY_TIMERS = new byte[8];
  private final TaskRuntime rt;
  private final Map<String, KeyValueStore<?, ?>> stores = new LinkedHashMap<>();
  private final Map<String, StoreSpec<?, ?>> specs = new LinkedHashMap<>();
  private final Map<String, TimerService<?>> timers = new LinkedHashMap<>();
  private final Map<String, StoreSnapshot> pendingStores = new java.util.HashMap<>();
  private final Map<String, byte[]> pendingTimers = new java.util.HashMap<>();
  /** Names of the task's operators: a restored section must belong to one of them. */
  private final java.util.Set<String> operators = new java.util.HashSet<>();

  /** Stores track their changes for a changelog (see {@link #enableChangelog}). */
  private boolean logged;
  /** Restored changes of stores no operator asked for yet, by store id. */
  private final Map<String, PendingChanges> pendingChanges = new java.util.HashMap<>();
  /**
   * Per store id, the changelog position of the local checkpoint the task's stores were opened from
   * (a durable backend's): the content a store not created yet still holds in the backend.
   */
  private Map<String, Long> localPositions = Map.of();
  /** Entries per store as last measured on the task thread, read by the {@code nip.state.entries} gauges. */
  private final Map<String, StoreEntries> entries = new LinkedHashMap<>();
  /** Pipeline clock millis before which {@link #measureSizes} does not measure again. */
  private long nextMeasureMillis;
  /** How often store sizes are measured at most (at checkpoints): a remote store answers over the network. */
  static final long MEASURE_EVERY_MILLIS = 5_000;

  KeyedStateService(TaskRuntime rt) {
    this.rt = rt;
  }

  /**
   * Makes every store created from now on track its changes, so that checkpoints send only what
   * changed ({@link #drainChanges}). Called by the planner before the task's operators open.
   */
  public void enableChangelog() {
    logged = true;
  }

  /** @return true when the task's state goes to a changelog */
  public boolean changelogEnabled() {
    return logged;
  }

  /**
   * @return every store entry changed since the previous call, serialized, in store order; the
   *     stores start new change sets
   */
  public java.util.List<StateChangelog.Change> drainChanges() {
    java.util.List<StateChangelog.Change> out = new java.util.ArrayList<>();
    for (TimerService<?> t : timers.values()) {
      if (t.kept()) {
        t.writeChanges(out); // made by the timer service itself: its store is not change-tracked
      }
    }
    for (KeyValueStore<?, ?> s : stores.values()) {
      ((ChangeTrackingStore<?, ?>) s).drain(out);
    }
    return out;
  }

  /** @return true when a store or a timer changed since the last {@link #drainChanges} */
  public boolean hasChanges() {
    for (TimerService<?> t : timers.values()) {
      if (t.hasChanges()) {
        return true;
      }
    }
    for (KeyValueStore<?, ?> s : stores.values()) {
      if (s instanceof ChangeTrackingStore && ((ChangeTrackingStore<?, ?>) s).hasChanges()) {
        return true;
      }
    }
    return false;
  }

  /** Writes what every store buffers to its backend (before a local checkpoint). */
  public void flushStores() {
    for (KeyValueStore<?, ?> s : stores.values()) {
      s.flush();
    }
  }

  /**
   * Records the changelog positions of the local checkpoint the task's stores were opened from,
   * before the changelog's tail is applied: a store the operators do not create in this run still
   * holds that checkpoint's content in the backend, and is still one of the task's stores.
   *
   * @param positions per store id, the local checkpoint's changelog position
   */
  public void openedAt(Map<String, Long> positions) {
    localPositions = Map.copyOf(positions);
  }

  /**
   * @return per store id not created yet, the changelog position its content in a durable backend
   *     corresponds to (that of the local checkpoint it was opened from); a store not created yet
   *     and not in the map holds nothing there that a restore may build on
   */
  public Map<String, Long> uncreatedPositions() {
    Map<String, Long> out = new java.util.HashMap<>();
    localPositions.forEach((id, position) -> {
      if (!stores.containsKey(id)) {
        out.put(id, position);
      }
    });
    return out;
  }

  /**
   * Applies one committed change during a restore: to its store, or kept until the operator
   * creates that store.
   *
   * @param change the change
   */
  public void applyRestored(StateChangelog.Change change) {
    KeyValueStore<?, ?> s = stores.get(change.storeId());
    if (s != null) {
      ((ChangeTrackingStore<?, ?>) s).apply(change);
    } else {
      pendingChanges.computeIfAbsent(change.storeId(), PendingChanges::new).add(change);
    }
  }

  /**
   * Empties every store and timer service of the task, and forgets their tracked changes, before
   * the task's state is restored again from its changelog (its partition came back from another
   * instance).
   */
  public void clearForRestore() {
    for (KeyValueStore<?, ?> s : stores.values()) {
      s.restore(new StoreSnapshot(s.name(), java.util.List.of()));
    }
    pendingChanges.clear();
    localPositions = Map.of(); // restored from the changelog's beginning
    for (TimerService<?> t : timers.values()) {
      restoreTimers(t, EMPTY_TIMERS);
    }
  }

  /**
   * @return the ids ("operator/store") of the stores created or awaiting their operator: with
   *     restored changes, or opened from a local checkpoint
   */
  public java.util.List<String> storeIds() {
    java.util.List<String> ids = new java.util.ArrayList<>(stores.keySet());
    for (String id : pendingChanges.keySet()) {
      if (!stores.containsKey(id)) {
        ids.add(id);
      }
    }
    for (String id : new java.util.TreeSet<>(localPositions.keySet())) {
      if (!stores.containsKey(id) && !pendingChanges.containsKey(id)) {
        ids.add(id);
      }
    }
    return ids;
  }

  /**
   * Creates (or returns the already created) store of an operator.
   *
   * @param operator the operator's name
   * @param spec the store's description
   * @param <K> key type
   * @param <V> value type
   * @return the store
   */
  public <K, V> KeyValueStore<K, V> store(String operator, StoreSpec<K, V> spec) {
    if (spec.name().equals(TimerService.TIMER_STORE)) {
      throw io.nip.errors.ConfigurationException.invalid("store.name", "'" + spec.name() + "'",
          "is where an operator's timers are kept; choose another name");
    }
    return createStore(operator, spec);
  }

  @SuppressWarnings("unchecked")
  private <K, V> KeyValueStore<K, V> createStore(String operator, StoreSpec<K, V> spec) {
    String id = operator + "/" + spec.name();
    KeyValueStore<?, ?> existing = stores.get(id);
    if (existing != null) {
      return (KeyValueStore<K, V>) existing;
    }
    KeyValueStore<K, V> store = rt.config().stateBackend().createKeyValueStore(spec,
        new StateBackend.StoreScope(rt.pipelineName(), rt.taskId(), operator), rt.clock());
    if (logged) {
      if (!rt.config().stateBackend().isDurable()) {
        // a store that outlives the process (Redis) may hold writes no commit covered: the state is
        // what the changelog restores, nothing else (a durable backend's store holds its local checkpoint)
        store.restore(new StoreSnapshot(store.name(), java.util.List.of()));
      }
      ChangeTrackingStore<K, V> tracked = new ChangeTrackingStore<>(id, store, spec, rt.clock());
      PendingChanges changes = pendingChanges.remove(id);
      if (changes != null) {
        changes.forEach(tracked::apply);
      }
      store = tracked;
    }
    stores.put(id, store);
    specs.put(id, spec);
    StoreSnapshot pending = pendingStores.remove(id);
    if (pending != null) {
      store.restore(pending);
    }
    StoreEntries counted = new StoreEntries();
    entries.put(id, counted);
    io.micrometer.core.instrument.Tags tags = io.micrometer.core.instrument.Tags.of("pipeline", rt.pipelineName(),
        "task", rt.taskId(), "operator", operator, "store", spec.name());
    Probe.replaced(rt.meterRegistry(), "nip.state.entries", tags);
    io.micrometer.core.instrument.Gauge.builder("nip.state.entries", counted, c -> c.entries)
        .description("entries of a state store (an estimate on RocksDB; may count expired entries not"
            + " yet purged), measured at checkpoints, at most every " + MEASURE_EVERY_MILLIS / 1000 + " s")
        .tags(tags).register(rt.meterRegistry());
    nextMeasureMillis = 0; // the new store is measured at the next checkpoint
    return store;
  }

  /**
   * Measures every store's entries for the {@code nip.state.entries} gauges, at most every
   * {@link #MEASURE_EVERY_MILLIS}: a store is measured on its task's thread (stores are not
   * thread-safe), at checkpoints, where the task touches its state anyway.
   */
  private void measureSizes() {
    long now = rt.clock().millis();
    if (now < nextMeasureMillis || entries.isEmpty()) {
      return;
    }
    nextMeasureMillis = now + MEASURE_EVERY_MILLIS;
    for (Map.Entry<String, StoreEntries> e : entries.entrySet()) {
      double n;
      try {
        n = stores.get(e.getKey()).approximateSize();
      } catch (RuntimeException unreachable) {
        n = Double.NaN; // a metric never fails a checkpoint: the store's own operations report the failure
      }
      e.getValue().entries = n;
    }
  }

  /** A store's last measured size, written by its task's thread and read by the registry's. */
  private static final class StoreEntries {
    volatile double entries = Double.NaN;
  }

  /**
   * Creates (or returns) the timer service of an operator.
   *
   * @param operator the operator's name
   * @param keySerde writes keys in snapshots
   * @param namespaceSerde writes namespaces in snapshots; null when the operator uses none
   * @param <N> namespace type
   * @return the operator's timers
   */
  @SuppressWarnings("unchecked")
  public <N> TimerService<N> timers(String operator, Serde<?> keySerde, Serde<N> namespaceSerde) {
    TimerService<?> existing = timers.get(operator);
    if (existing != null) {
      return (TimerService<N>) existing;
    }
    TimerService<N> service = new TimerService<>(operator, (Serde<Object>) keySerde, namespaceSerde);
    timers.put(operator, service);
    if (logged) {
      // the timers live in a store of the operator, with its changelog: it holds those restored so far
      // (wrapped like any store, for restores; the timer service makes its changes itself)
      String id = operator + "/" + TimerService.TIMER_STORE;
      ChangeTrackingStore<TimerService.StoredTimer, Long> store =
          (ChangeTrackingStore<TimerService.StoredTimer, Long>) createStore(operator, service.storeSpec());
      service.keepIn(id, store.inner(), rt.config().stateBackend().isDurable());
    }
    byte[] pending = pendingTimers.remove(operator);
    if (pending != null) {
      if (logged) {
        addTimers(service, pending); // a checkpoint from before timers were kept in a store
      } else {
        restoreTimers(service, pending);
      }
    }
    return service;
  }

  /** @param operator the name of an operator of the task; called by the planner for every operator */
  public void declareOperator(String operator) {
    operators.add(operator);
  }

  /** @return the description of every store of the task by "operator/store" */
  public Map<String, StoreSpec<?, ?>> specs() {
    return specs;
  }

  /** @return true when no operator of the task registered a store or a timer service */
  public boolean isEmpty() {
    return stores.isEmpty() && timers.isEmpty();
  }

  /** @return every store of the task by "operator/store" */
  public Map<String, KeyValueStore<?, ?>> stores() {
    return stores;
  }

  /** Removes expired entries from every store. */
  public void purgeExpired() {
    for (KeyValueStore<?, ?> s : stores.values()) {
      s.purgeExpired();
    }
  }

  /**
   * @return every store and timer of the task, serialized
   * @throws StateException when a store or timer cannot be serialized
   */
  public byte[] snapshot() {
    return snapshot(true);
  }

  /**
   * @param withStores false to leave the stores out (their changes go to a changelog): timers only
   * @return the serialized state
   * @throws StateException when a store or timer cannot be serialized
   */
  public byte[] snapshot(boolean withStores) {
    measureSizes();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(FORMAT_VERSION);
      Map<String, StoreSnapshot> all = new LinkedHashMap<>();
      for (Map.Entry<String, KeyValueStore<?, ?>> e : withStores ? stores.entrySet()
          : java.util.Set.<Map.Entry<String, KeyValueStore<?, ?>>>of()) {
        all.put(e.getKey(), e.getValue().snapshot());
      }
      if (withStores) {
        all.putAll(pendingStores); // restored sections whose operator has not asked for its store yet
      }
      out.writeInt(all.size());
      for (Map.Entry<String, StoreSnapshot> e : all.entrySet()) {
        out.writeUTF(e.getKey());
        StoreSnapshot snap = e.getValue();
        out.writeUTF(snap.storeName());
        out.writeInt(snap.entries().size());
        for (StoreSnapshot.Entry entry : snap.entries()) {
          Bytes.write(out, entry.key());
          Bytes.write(out, entry.value());
          out.writeLong(entry.expiresAtMillis());
        }
      }
      // with a changelog, timers are in the operators' timer stores: only sections of an older
      // checkpoint whose operator has not asked for its timers yet are carried on
      out.writeInt((logged ? 0 : timers.size()) + pendingTimers.size());
      for (Map.Entry<String, byte[]> e : pendingTimers.entrySet()) {
        out.writeUTF(e.getKey());
        Bytes.write(out, e.getValue());
      }
      for (Map.Entry<String, TimerService<?>> e : logged ? java.util.Set.<Map.Entry<String, TimerService<?>>>of()
          : timers.entrySet()) {
        out.writeUTF(e.getKey());
        ByteArrayOutputStream section = new ByteArrayOutputStream();
        try (DataOutputStream sectionOut = new DataOutputStream(section)) {
          e.getValue().snapshot(sectionOut);
        }
        Bytes.write(out, section.toByteArray());
      }
    } catch (IOException e) {
      throw new StateException("could not snapshot the state of task " + rt.taskId() + ": " + e.getMessage(), e);
    }
    return bytes.toByteArray();
  }

  /**
   * Replaces every store's and timer's content with a snapshot.
   *
   * @param snapshot what {@link #snapshot()} returned, possibly in another process
   * @throws StateException when the snapshot is corrupt or does not match the task's operators
   */
  public void restore(byte[] snapshot) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(snapshot))) {
      int version = in.readInt();
      if (version != FORMAT_VERSION) {
        throw new StateException("task " + rt.taskId() + ": snapshot format " + version + " is not supported");
      }
      int n = in.readInt();
      pendingStores.clear();
      pendingTimers.clear();
      for (int i = 0; i < n; i++) {
        String id = in.readUTF();
        String storeName = in.readUTF();
        int entries = in.readInt();
        java.util.List<StoreSnapshot.Entry> list = new java.util.ArrayList<>(Math.min(entries, 1 << 16));
        for (int j = 0; j < entries; j++) {
          byte[] key = Bytes.read(in);
          byte[] value = Bytes.read(in);
          list.add(new StoreSnapshot.Entry(key, value, in.readLong()));
        }
        pendingStores.put(id, new StoreSnapshot(storeName, list));
      }
      int t = in.readInt();
      for (int i = 0; i < t; i++) {
        String op = in.readUTF();
        pendingTimers.put(op, Bytes.read(in));
      }
      for (String id : pendingStores.keySet()) {
        requireOperator(id.substring(0, id.lastIndexOf('/')), "store '" + id + "'");
      }
      for (String op : pendingTimers.keySet()) {
        requireOperator(op, "timers");
      }
      for (Map.Entry<String, KeyValueStore<?, ?>> e : logged ? java.util.Set.<Map.Entry<String, KeyValueStore<?, ?>>>of()
          : stores.entrySet()) {
        // with a changelog the stores were restored from it: the snapshot holds timers only
        StoreSnapshot snap = pendingStores.remove(e.getKey());
        e.getValue().restore(snap != null ? snap : new StoreSnapshot(e.getValue().name(), java.util.List.of()));
      }
      for (Map.Entry<String, TimerService<?>> e : timers.entrySet()) {
        byte[] section = pendingTimers.remove(e.getKey());
        if (logged) {
          e.getValue().reload(); // the changelog restored the timer store
          if (section != null) {
            addTimers(e.getValue(), section);
          }
        } else {
          restoreTimers(e.getValue(), section != null ? section : EMPTY_TIMERS);
        }
      }
    } catch (IOException e) {
      throw new StateException("task " + rt.taskId() + ": corrupt snapshot (" + e + ")", e);
    }
  }

  private void requireOperator(String operator, String what) {
    if (!operators.isEmpty() && !operators.contains(operator)) {
      throw new StateException("task " + rt.taskId() + ": the checkpoint holds " + what + " of operator '" + operator
          + "', which this pipeline does not have (operators: " + new java.util.TreeSet<>(operators) + "); "
          + "state is never dropped silently: keep the operator's name, or restore into a new checkpoint location");
    }
  }

  private void addTimers(TimerService<?> service, byte[] section) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(section))) {
      service.add(in);
    } catch (IOException e) {
      throw new StateException("task " + rt.taskId() + ": corrupt timer snapshot (" + e + ")", e);
    }
  }

  private void restoreTimers(TimerService<?> service, byte[] section) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(section))) {
      service.restore(in);
    } catch (IOException e) {
      throw new StateException("task " + rt.taskId() + ": corrupt timer snapshot (" + e + ")", e);
    }
  }
}
