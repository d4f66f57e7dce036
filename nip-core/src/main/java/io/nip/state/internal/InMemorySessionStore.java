package io.nip.state.internal;

import io.nip.state.SessionStore;
import io.nip.state.StoreIterator;
import io.nip.state.StoreKeys;
import io.nip.state.StoreSnapshot;
import io.nip.state.StoreSpec;
import io.nip.time.NipClock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A session store in two levels of {@link TreeMap}: serialized key (unsigned byte order, as
 * {@link StoreKeys} lays it out on disk) to the key's sessions by (start, end) millisecond.
 * {@link #findSessions} walks the key's sessions that start at or before {@code latestStart} and
 * keeps those ending at or after {@code earliestEnd}: linear in the key's sessions, which a
 * session window keeps few of.
 *
 * <p>Invariants: a key's entry exists only while it has at least one session; without a TTL every
 * slot expires at {@link Long#MAX_VALUE}. Scans copy their matches. Confined to its task's thread.
 */
final class InMemorySessionStore<K, V> implements SessionStore<K, V> {
  private final StoreSpec<K, V> spec;
  private final NipClock clock;
  private final long ttlMillis;
  private final TreeMap<byte[], PerKey<K, V>> keys = new TreeMap<>(Arrays::compareUnsigned);

  InMemorySessionStore(StoreSpec<K, V> spec, NipClock clock) {
    this.spec = spec;
    this.clock = clock;
    this.ttlMillis = spec.ttl() == null ? 0 : spec.ttl().toMillis();
  }

  private record Interval(long start, long end) implements Comparable<Interval> {
    @Override
    public int compareTo(Interval o) {
      int c = Long.compare(start, o.start);
      return c != 0 ? c : Long.compare(end, o.end);
    }
  }

  private static final class PerKey<K, V> {
    final K key;
    final TreeMap<Interval, Slot<V>> sessions = new TreeMap<>();

    PerKey(K key) {
      this.key = key;
    }
  }

  @Override
  public String name() {
    return spec.name();
  }

  @Override
  public void put(K key, Instant start, Instant end, V value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    Interval iv = interval(start, end);
    keys.computeIfAbsent(spec.keySerde().serialize(key), b -> new PerKey<>(key))
        .sessions.put(iv, new Slot<>(value, Slot.expiry(clock, ttlMillis)));
  }

  @Override
  public V fetchSession(K key, Instant start, Instant end) {
    PerKey<K, V> pk = keys.get(spec.keySerde().serialize(Objects.requireNonNull(key, "key")));
    if (pk == null) {
      return null;
    }
    Slot<V> slot = pk.sessions.get(new Interval(StoreKeys.millis(start), StoreKeys.millis(end)));
    return slot == null || !slot.liveAt(now()) ? null : slot.value();
  }

  @Override
  public void remove(K key, Instant start, Instant end) {
    byte[] k = spec.keySerde().serialize(Objects.requireNonNull(key, "key"));
    PerKey<K, V> pk = keys.get(k);
    if (pk != null) {
      pk.sessions.remove(new Interval(StoreKeys.millis(start), StoreKeys.millis(end)));
      if (pk.sessions.isEmpty()) {
        keys.remove(k);
      }
    }
  }

  @Override
  public StoreIterator<Session<K, V>> findSessions(K key, Instant earliestEnd, Instant latestStart) {
    PerKey<K, V> pk = keys.get(spec.keySerde().serialize(Objects.requireNonNull(key, "key")));
    List<Session<K, V>> out = new ArrayList<>();
    if (pk != null) {
      long minEnd = StoreKeys.millis(earliestEnd);
      long now = now();
      Interval bound = new Interval(StoreKeys.millis(latestStart), Long.MAX_VALUE);
      for (Map.Entry<Interval, Slot<V>> s : pk.sessions.headMap(bound, true).entrySet()) {
        Interval iv = s.getKey();
        if (iv.end >= minEnd && s.getValue().liveAt(now)) {
          out.add(new Session<>(pk.key, Instant.ofEpochMilli(iv.start), Instant.ofEpochMilli(iv.end),
              s.getValue().value()));
        }
      }
    }
    return StoreIterator.of(out);
  }

  @Override
  public int purgeExpired() {
    if (ttlMillis == 0) {
      return 0;
    }
    long now = now();
    int removed = 0;
    for (Iterator<PerKey<K, V>> keyIt = keys.values().iterator(); keyIt.hasNext(); ) {
      TreeMap<Interval, Slot<V>> sessions = keyIt.next().sessions;
      for (Iterator<Slot<V>> it = sessions.values().iterator(); it.hasNext(); ) {
        if (!it.next().liveAt(now)) {
          it.remove();
          removed++;
        }
      }
      if (sessions.isEmpty()) {
        keyIt.remove();
      }
    }
    return removed;
  }

  @Override
  public StoreSnapshot snapshot() {
    long now = now();
    List<StoreSnapshot.Entry> entries = new ArrayList<>();
    for (Map.Entry<byte[], PerKey<K, V>> k : keys.entrySet()) {
      for (Map.Entry<Interval, Slot<V>> s : k.getValue().sessions.entrySet()) {
        Slot<V> slot = s.getValue();
        if (slot.liveAt(now)) {
          Interval iv = s.getKey();
          entries.add(new StoreSnapshot.Entry(
              StoreKeys.session(k.getKey(), Instant.ofEpochMilli(iv.start), Instant.ofEpochMilli(iv.end)),
              spec.valueSerde().serialize(slot.value()), slot.expiresAt()));
        }
      }
    }
    return new StoreSnapshot(spec.name(), entries);
  }

  @Override
  public void restore(StoreSnapshot snapshot) {
    Slot.requireSameStore(spec.name(), snapshot);
    keys.clear();
    for (StoreSnapshot.Entry e : snapshot.entries()) {
      byte[] k = StoreKeys.key(e.key());
      PerKey<K, V> pk = keys.computeIfAbsent(k, b -> new PerKey<>(spec.keySerde().deserialize(b)));
      Interval iv = new Interval(StoreKeys.millis(StoreKeys.sessionStart(e.key())),
          StoreKeys.millis(StoreKeys.sessionEnd(e.key())));
      pk.sessions.put(iv, new Slot<>(spec.valueSerde().deserialize(e.value()), e.expiresAtMillis()));
    }
  }

  private static Interval interval(Instant start, Instant end) {
    long s = StoreKeys.millis(start);
    long e = StoreKeys.millis(end);
    if (e < s) {
      throw new IllegalArgumentException("a session cannot end (" + end + ") before it starts (" + start + ")");
    }
    return new Interval(s, e);
  }

  private long now() {
    return ttlMillis == 0 ? Long.MIN_VALUE : clock.millis();
  }

  @Override
  public void close() {
    keys.clear();
  }
}
