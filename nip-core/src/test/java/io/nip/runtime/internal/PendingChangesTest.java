package io.nip.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.state.StateChangelog;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PendingChangesTest {

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void when_changes_fill_several_chunks_then_forEach_returns_each_in_order_with_deletes_and_expiry() {
    // Given: entries of every shape, more than the first chunks hold, one larger than a whole chunk
    PendingChanges pending = new PendingChanges("op/store");
    List<StateChangelog.Change> added = new ArrayList<>();
    for (int i = 0; i < 300_000; i++) {
      byte[] value = i % 7 == 0 ? null : i % 3 == 0 ? new byte[0] : bytes("value-" + i);
      added.add(new StateChangelog.Change("op/store", bytes("key-" + i), value, i % 5 == 0 ? Long.MAX_VALUE : i));
    }
    added.add(150_000, new StateChangelog.Change("op/store", bytes("big"), new byte[PendingChanges.CHUNK + 10], 1));

    // When
    added.forEach(pending::add);
    List<StateChangelog.Change> back = new ArrayList<>();
    pending.forEach(back::add);

    // Then: the same entries, in the same order
    assertThat(pending.size()).isEqualTo(added.size());
    assertThat(back).hasSameSizeAs(added);
    for (int i = 0; i < added.size(); i++) {
      StateChangelog.Change a = added.get(i);
      StateChangelog.Change b = back.get(i);
      assertThat(b.storeId()).isEqualTo("op/store");
      assertThat(b.key()).isEqualTo(a.key());
      assertThat(b.value()).isEqualTo(a.value());
      assertThat(b.expiresAtMillis()).isEqualTo(a.expiresAtMillis());
    }
  }

  @Test
  void when_nothing_was_added_then_forEach_sees_nothing() {
    PendingChanges pending = new PendingChanges("op/store");
    List<StateChangelog.Change> back = new ArrayList<>();
    pending.forEach(back::add);
    assertThat(back).isEmpty();
    assertThat(pending.size()).isZero();
  }
}
