package io.nip.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nip.serde.Serdes;
import io.nip.state.KeyValueStore;
import io.nip.state.StateBackend.StoreScope;
import io.nip.state.StateChangelog;
import io.nip.state.StoreSpec;
import io.nip.state.internal.InMemoryStateBackend;
import io.nip.time.NipClock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChangeTrackingStoreTest {
  private static final StoreSpec<String, List<Integer>> SPEC = StoreSpec.keyValue("lists", Serdes.string(),
      Serdes.json(new com.fasterxml.jackson.core.type.TypeReference<>() {}));

  private static ChangeTrackingStore<String, List<Integer>> store() {
    return store(SPEC);
  }

  private static ChangeTrackingStore<String, List<Integer>> store(StoreSpec<String, List<Integer>> spec) {
    KeyValueStore<String, List<Integer>> inner = InMemoryStateBackend.INSTANCE.createKeyValueStore(
        spec, new StoreScope("p", "t", "op"), NipClock.system());
    return new ChangeTrackingStore<>("op/lists", inner, spec, NipClock.system());
  }

  /** The backend store's own content, key → serialized value. */
  private static Map<String, String> backend(ChangeTrackingStore<String, List<Integer>> store) {
    Map<String, String> out = new HashMap<>();
    for (io.nip.state.StoreSnapshot.Entry e : store.inner().snapshot().entries()) {
      out.put(Serdes.string().deserialize(e.key()), new String(e.value(), java.nio.charset.StandardCharsets.UTF_8));
    }
    return out;
  }

  private static List<StateChangelog.Change> drain(ChangeTrackingStore<String, List<Integer>> store) {
    List<StateChangelog.Change> out = new ArrayList<>();
    store.drain(out);
    return out;
  }

  @Test
  void when_reads_and_writes_of_other_keys_come_between_a_read_and_its_put_then_the_changelog_matches_the_backend() {
    // Given
    ChangeTrackingStore<String, List<Integer>> store = store();
    Map<String, String> log = new HashMap<>();
    store.put("a", new ArrayList<>(List.of(1)));
    store.put("b", new ArrayList<>(List.of(2)));
    applyTo(log, drain(store));

    // When: get(a), put(b), put(a); get(a), get(b), put(a); get(a), delete(a), put(a); get(a), drain, put(a)
    List<Integer> a = store.get(new String("a"));
    a.add(10);
    store.put("b", new ArrayList<>(List.of(20)));
    store.put("a", a);
    applyTo(log, drain(store));
    assertThat(log).isEqualTo(backend(store));
    a = store.get(new String("a"));
    a.add(11);
    store.get("b");
    store.put("a", a);
    applyTo(log, drain(store));
    assertThat(log).isEqualTo(backend(store));
    a = store.get("a");
    store.delete("a");
    store.put("a", a);
    applyTo(log, drain(store));
    assertThat(log).isEqualTo(backend(store));
    a = store.get("a");
    a.add(12);
    applyTo(log, drain(store));
    store.put("a", a);
    applyTo(log, drain(store));

    // Then
    assertThat(log).isEqualTo(backend(store));
    assertThat(log.get("a")).isEqualTo("[1,10,11,12]");
  }

  @Test
  void when_a_key_is_deleted_and_put_again_many_times_between_two_drains_then_one_change_per_key_is_sent() {
    // Given
    ChangeTrackingStore<String, List<Integer>> store = store();
    store.put("gone", new ArrayList<>(List.of(0)));
    drain(store);

    // When: a thousand delete-and-put cycles of one key, deletes of keys never held, one deleted key
    for (int i = 0; i < 1_000; i++) {
      store.delete(new String("a"));
      store.put(new String("a"), new ArrayList<>(List.of(i)));
      store.delete("never-" + (i % 3));
    }
    store.delete("gone");
    List<StateChangelog.Change> out = drain(store);

    // Then: a's last value and gone's tombstone, once each; a delete of an absent key sends nothing
    assertThat(out).hasSize(2);
    Map<String, String> log = new HashMap<>(Map.of("gone", "[0]"));
    applyTo(log, out);
    assertThat(log).isEqualTo(Map.of("a", "[999]")).isEqualTo(backend(store));
  }

  @Test
  void when_a_key_lives_and_dies_between_two_drains_then_the_changelog_gets_nothing_of_it() {
    // Given: a key drained once with a value, and a key restored from the changelog
    ChangeTrackingStore<String, List<Integer>> store = store();
    store.put("kept", new ArrayList<>(List.of(1)));
    Map<String, String> log = new HashMap<>();
    applyTo(log, drain(store));
    store.apply(new StateChangelog.Change("op/lists", Serdes.string().serialize("restored"),
        "[7]".getBytes(java.nio.charset.StandardCharsets.UTF_8), Long.MAX_VALUE));
    log.put("restored", "[7]");

    // When: a new key is put, changed in place and deleted; the two older keys are deleted
    List<Integer> brief = new ArrayList<>(List.of(2));
    store.put("brief", brief);
    brief = store.get("brief");
    brief.add(3);
    store.put("brief", brief);
    store.delete("brief");
    store.delete("kept");
    store.delete("restored");
    List<StateChangelog.Change> out = drain(store);

    // Then: tombstones for the keys the changelog holds, nothing for the brief one
    assertThat(out).extracting(c -> Serdes.string().deserialize(c.key())).containsExactlyInAnyOrder("kept",
        "restored");
    assertThat(out).allSatisfy(c -> assertThat(c.value()).isNull());
    applyTo(log, out);
    assertThat(log).isEqualTo(backend(store)).isEmpty();

    // and a key whose tombstone was drained, put and deleted again before the next drain, sends nothing more
    store.put("kept", new ArrayList<>(List.of(4)));
    store.delete("kept");
    assertThat(drain(store)).isEmpty();
    // while one drained with a value in between is deleted again
    store.put("kept", new ArrayList<>(List.of(5)));
    applyTo(log, drain(store));
    store.delete("kept");
    applyTo(log, drain(store));
    assertThat(log).isEqualTo(backend(store)).isEmpty();
  }

  @Test
  void when_the_store_is_restored_from_a_snapshot_then_reads_see_it_and_changes_in_place_are_tracked() {
    // Given: a snapshot of one store, and a second store with other content and pending changes
    ChangeTrackingStore<String, List<Integer>> source = store();
    source.put("x", new ArrayList<>(List.of(1)));
    source.put("y", new ArrayList<>(List.of(2)));
    ChangeTrackingStore<String, List<Integer>> store = store();
    store.put("z", new ArrayList<>(List.of(3)));

    // When
    store.restore(source.inner().snapshot());
    List<Integer> x = store.get("x");
    x.add(4);
    store.put("x", x);

    // Then: the snapshot's content, z gone, only x's change pending
    assertThat(store.get("z")).isNull();
    assertThat(store.get("y")).containsExactly(2);
    List<StateChangelog.Change> out = drain(store);
    assertThat(out).hasSize(1);
    assertThat(new String(out.get(0).value(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("[1,4]");
  }

  /** Applies drained changes in order to a model of the changelog (key → serialized value). */
  private static void applyTo(Map<String, String> log, List<StateChangelog.Change> changes) {
    for (StateChangelog.Change c : changes) {
      String key = Serdes.string().deserialize(c.key());
      if (c.value() == null) {
        log.remove(key);
      } else {
        log.put(key, new String(c.value(), java.nio.charset.StandardCharsets.UTF_8));
      }
    }
  }

  @org.junit.jupiter.params.ParameterizedTest(name = "ttl {0}")
  @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
  void when_values_change_in_place_are_deleted_and_put_again_then_the_changelog_replays_to_the_store(boolean ttl) {
    // Given: a store over the in-memory backend (without a TTL it hands out the objects it holds;
    // with one it does not, and the change set is a map of its own) and a model
    StoreSpec<String, List<Integer>> spec = ttl ? SPEC.withTtl(java.time.Duration.ofHours(1)) : SPEC;
    ChangeTrackingStore<String, List<Integer>> store = store(spec);
    Map<String, List<Integer>> model = new HashMap<>();
    Map<String, String> log = new HashMap<>();
    Random random = new Random(7);

    // When: random reads changed in place and put back, fresh puts, deletes, with drains between
    for (int round = 0; round < 200; round++) {
      for (int i = 0; i < 50; i++) {
        String key = new String("k" + random.nextInt(20)); // a fresh key object, as parsed input gives
        int op = random.nextInt(10);
        if (op < 6) {
          List<Integer> v = store.get(key);
          if (v == null) {
            v = new ArrayList<>();
          }
          v.add(i);
          store.put(key, v);
          model.computeIfAbsent(key, k -> new ArrayList<>()).add(i);
        } else if (op < 8) {
          store.put(key, new ArrayList<>(List.of(-i)));
          model.put(key, new ArrayList<>(List.of(-i)));
        } else {
          assertThat(store.delete(key)).isEqualTo(model.remove(key));
        }
      }
      List<StateChangelog.Change> out = new ArrayList<>();
      store.drain(out);
      applyTo(log, out);
      assertThat(store.hasChanges()).isFalse();

      // Then: the changelog holds exactly the store's state, and so does the backend
      Map<String, String> expected = new HashMap<>();
      model.forEach((k, v) -> expected.put(k, new String(SPEC.valueSerde().serialize(v),
          java.nio.charset.StandardCharsets.UTF_8)));
      assertThat(log).isEqualTo(expected).isEqualTo(backend(store));
    }

    // And: a new store restored from that changelog reads the same values, and tracks again
    ChangeTrackingStore<String, List<Integer>> restored = store(spec);
    log.forEach((k, v) -> restored.apply(new StateChangelog.Change("op/lists", Serdes.string().serialize(k),
        v.getBytes(java.nio.charset.StandardCharsets.UTF_8), Long.MAX_VALUE)));
    model.forEach((k, v) -> assertThat(restored.get(new String(k))).isEqualTo(v));
    assertThat(restored.hasChanges()).isFalse();
    String any = model.keySet().iterator().next();
    List<Integer> v = restored.get(any);
    v.add(99);
    restored.put(any, v);
    List<StateChangelog.Change> out = new ArrayList<>();
    restored.drain(out);
    assertThat(out).hasSize(1);
    assertThat(Serdes.string().deserialize(out.get(0).key())).isEqualTo(any);
  }

  @Test
  void when_a_null_value_is_put_then_it_is_refused_and_nothing_is_tracked() {
    // Given
    ChangeTrackingStore<String, List<Integer>> store = store();
    store.get("a");

    // When / Then
    assertThatThrownBy(() -> store.put("a", null)).isInstanceOf(NullPointerException.class);
    assertThat(store.hasChanges()).isFalse();
  }

  @org.junit.jupiter.params.ParameterizedTest(name = "ttl {0}")
  @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
  void when_a_tracked_store_is_scanned_then_it_sees_every_write_and_the_scan_changes_nothing(boolean ttl) {
    // Given: a store with a changelog; keys written, one changed in place, one deleted, one drained already
    ChangeTrackingStore<String, List<Integer>> store = store(ttl ? SPEC.withTtl(java.time.Duration.ofHours(1)) : SPEC);
    store.put("user1|a", new ArrayList<>(List.of(1)));
    store.put("user1|b", new ArrayList<>(List.of(2)));
    drain(store);
    store.put("user1|c", new ArrayList<>(List.of(3)));
    store.put("user2|a", new ArrayList<>(List.of(4)));
    List<Integer> b = store.get("user1|b");
    b.add(20);
    store.put("user1|b", b);
    store.delete("user1|c");
    List<StateChangelog.Change> changes = drain(store);

    // When
    List<io.nip.state.KeyValue<String, List<Integer>>> prefixed = new ArrayList<>();
    try (var it = store.prefixScan("user1|", Serdes.string())) {
      it.forEachRemaining(prefixed::add);
    }
    List<io.nip.state.KeyValue<String, List<Integer>>> ranged = new ArrayList<>();
    try (var it = store.range("user1|b", "user2|a")) {
      it.forEachRemaining(ranged::add);
    }

    // Then: the backend's entries in key order, and no change to send
    assertThat(prefixed).containsExactly(new io.nip.state.KeyValue<>("user1|a", List.of(1)),
        new io.nip.state.KeyValue<>("user1|b", List.of(2, 20)));
    assertThat(ranged).containsExactly(new io.nip.state.KeyValue<>("user1|b", List.of(2, 20)),
        new io.nip.state.KeyValue<>("user2|a", List.of(4)));
    // (user1|c lived and died between the drains: without a TTL the change set sends nothing of it)
    assertThat(changes).hasSize(ttl ? 3 : 2);
    assertThat(store.hasChanges()).isFalse();

    // And: a value changed in place after the scan and put back is tracked as usual
    List<Integer> a = prefixed.get(0).value();
    a.add(10);
    store.put("user1|a", a);
    assertThat(drain(store)).extracting(c -> Serdes.string().deserialize(c.key())).containsExactly("user1|a");
  }
}
