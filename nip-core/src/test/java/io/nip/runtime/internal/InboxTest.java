package io.nip.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Credits of a keyed task's inbox: every channel keeps places of its own, so a channel that offers
 * rarely is not starved by one that fills the shared places first.
 */
class InboxTest {

  private static Batch batch(int channel) {
    return new Batch(channel, 0, 1);
  }

  @Test
  void when_a_busy_channel_fills_the_shared_places_then_another_channel_still_hands_over_its_own() {
    // Given: 4 shared places, 3 channels; channel 0 offers until refused
    Inbox inbox = new Inbox(4);
    inbox.channels(3);
    int accepted = 0;
    while (inbox.offer(batch(0))) {
      accepted++;
    }
    assertThat(accepted).as("its own 2 and the 4 shared").isEqualTo(Inbox.EXCLUSIVE + 4);

    // When / Then: channel 1 still hands over as many as it has places of its own, then is refused
    assertThat(inbox.offer(batch(1))).isTrue();
    assertThat(inbox.offer(batch(1))).isTrue();
    assertThat(inbox.offer(batch(1))).isFalse();
    assertThat(inbox.size()).isEqualTo(8);
  }

  @Test
  void channels_are_set_before_any_batch_is_offered() {
    Inbox inbox = new Inbox(4);
    inbox.offer(batch(0));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> inbox.channels(2))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void a_polled_batch_gives_back_the_kind_of_place_it_took() {
    Inbox inbox = new Inbox(1);
    inbox.channels(2);
    assertThat(inbox.offer(batch(0))).isTrue(); // own
    assertThat(inbox.offer(batch(0))).isTrue(); // own
    assertThat(inbox.offer(batch(0))).isTrue(); // shared
    assertThat(inbox.offer(batch(0))).isFalse();
    assertThat(inbox.offer(batch(1))).isTrue(); // own

    // the first batch held one of channel 0's own places: channel 0 may offer one more, the shared place stays taken
    assertThat(inbox.poll().channel).isZero();
    assertThat(inbox.offer(batch(0))).isTrue();
    assertThat(inbox.offer(batch(0))).isFalse();

    // draining everything frees every place again, in arrival order
    int drained = 0;
    while (inbox.poll() != null) {
      drained++;
    }
    assertThat(drained).isEqualTo(4);
    for (int i = 0; i < Inbox.EXCLUSIVE + 1; i++) {
      assertThat(inbox.offer(batch(1))).isTrue();
    }
    assertThat(inbox.offer(batch(1))).isFalse();
  }
}
