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
    KeyValueStore<String, List<Integer>> inner = InMemoryStateBackend.INSTANCE.createKeyValueStore(
        SPEC, new StoreScope("p", "t", "op"), NipClock.system());
    return new ChangeTrackingStore<>("op/lists", inner, SPEC, NipClock.system());
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

  @Test
  void when_values_change_in_place_are_deleted_and_put_again_then_the_changelog_replays_to_the_store() {
    // Given: a store over the in-memory backend (it hands out the objects it holds) and a model
    ChangeTrackingStore<String, List<Integer>> store = store();
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

      // Then: the changelog holds exactly the store's state
      Map<String, String> expected = new HashMap<>();
      model.forEach((k, v) -> expected.put(k, new String(SPEC.valueSerde().serialize(v),
          java.nio.charset.StandardCharsets.UTF_8)));
      assertThat(log).isEqualTo(expected);
    }

    // And: a new store restored from that changelog reads the same values, and tracks again
    ChangeTrackingStore<String, List<Integer>> restored = store();
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
}
