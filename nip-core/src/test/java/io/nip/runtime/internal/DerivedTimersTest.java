package io.nip.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.serde.Serdes;
import io.nip.state.KeyValueStore;
import io.nip.state.StateBackend;
import io.nip.state.StateBackend.StoreScope;
import io.nip.state.StateChangelog;
import io.nip.time.NipClock;
import io.nip.time.TimeDomain;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Timers an operator derives from its state ({@link TimerService#deriveFromState}): with a changelog
 * none is written, and timers an earlier checkpoint stored are deleted from the changelog once.
 */
class DerivedTimersTest {

  @SuppressWarnings("unchecked")
  private static TimerService<String> kept(KeyValueStore<TimerService.StoredTimer, Long>[] storeOut) {
    TimerService<String> timers = new TimerService<>("op", (io.nip.serde.Serde<Object>) (io.nip.serde.Serde<?>)
        Serdes.string(), Serdes.string());
    KeyValueStore<TimerService.StoredTimer, Long> store = StateBackend.inMemory().createKeyValueStore(
        timers.storeSpec(), new StoreScope("p", "t", "op"), NipClock.system());
    storeOut[0] = store;
    timers.keepIn("op/__timers", store, false);
    return timers;
  }

  @Test
  void when_timers_are_derived_then_a_checkpoint_writes_none_of_them_and_they_still_fire() {
    // Given: a timer service kept in a store, whose operator derives its timers
    @SuppressWarnings("unchecked")
    KeyValueStore<TimerService.StoredTimer, Long>[] store = new KeyValueStore[1];
    TimerService<String> timers = kept(store);
    timers.deriveFromState();
    // When: timers are set, one deleted, and a checkpoint drains the changes
    for (int i = 0; i < 100; i++) {
      timers.register(TimeDomain.EVENT_TIME, 1_000 + i, "k" + i, "w");
    }
    timers.delete(TimeDomain.EVENT_TIME, 1_000, "k0", "w");
    List<StateChangelog.Change> out = new ArrayList<>();
    timers.writeChanges(out);
    // Then: nothing goes to the changelog, and the live timers fire in time order
    assertThat(timers.hasChanges()).isFalse();
    assertThat(out).isEmpty();
    TimerQueue.Timer first = timers.pollDue(TimeDomain.EVENT_TIME, Long.MAX_VALUE);
    assertThat(first.key()).isEqualTo("k1");
    assertThat(timers.size()).isEqualTo(98);
  }

  @Test
  void when_an_earlier_checkpoint_stored_timers_then_the_next_one_deletes_them_once_and_none_fires() {
    // Given: a timer store holding three timers of an earlier checkpoint (before timers were derived)
    @SuppressWarnings("unchecked")
    KeyValueStore<TimerService.StoredTimer, Long>[] store = new KeyValueStore[1];
    TimerService<String> timers = kept(store);
    for (int i = 0; i < 3; i++) {
      store[0].put(new TimerService.StoredTimer(true, 500 + i, "old" + i, "w"), (long) i);
    }
    timers.reload();
    assertThat(timers.size()).isEqualTo(3);
    // When: the operator derives its timers, and two checkpoints drain the changes
    timers.deriveFromState();
    assertThat(timers.size()).as("stored timers are not armed").isZero();
    assertThat(timers.hasChanges()).isTrue();
    List<StateChangelog.Change> first = new ArrayList<>();
    timers.writeChanges(first);
    List<StateChangelog.Change> second = new ArrayList<>();
    timers.writeChanges(second);
    // Then: the first deletes each stored timer from the changelog, the second writes nothing
    assertThat(first).hasSize(3).allSatisfy(c -> {
      assertThat(c.storeId()).isEqualTo("op/__timers");
      assertThat(c.value()).isNull();
    });
    assertThat(second).isEmpty();
    assertThat(timers.hasChanges()).isFalse();
    boolean[] any = {false};
    store[0].forEach((t, seq) -> any[0] = true);
    assertThat(any[0]).as("the store is emptied").isFalse();
    // and a restore that brings stored timers back deletes them again, without arming them
    store[0].put(new TimerService.StoredTimer(true, 900, "again", "w"), 9L);
    timers.reload();
    assertThat(timers.size()).isZero();
    List<StateChangelog.Change> third = new ArrayList<>();
    timers.writeChanges(third);
    assertThat(third).hasSize(1);
  }
}
