package io.nip.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.pipeline.PipelineConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A keyed task whose input channels end one after the other when the pipeline is stopped: a stopped
 * channel is not at the end of its input — after a restart it delivers records at its last
 * watermark — so the task's watermark stays where that channel left it, while the other channels
 * drain what they still hold. An exhausted channel simply stops counting.
 */
class KeyedTaskStopTest {

  /** Records the watermarks that reach the task's operators. */
  static final class Watermarks extends Operator {
    final List<Long> seen = new ArrayList<>();

    @Override
    public void process(Object value) {}

    @Override
    public void watermark(long watermark, int port) {
      seen.add(watermark);
    }

    @Override
    public void barrier(long checkpointId, int port) {}

    @Override
    public void finish(int port) {}
  }

  static Batch watermark(int channel, long watermark) {
    Batch b = new Batch(channel, 0, 1);
    b.watermark = watermark;
    return b;
  }

  private static Batch end(int channel, long watermark) {
    Batch b = new Batch(channel, 0, 1);
    b.watermark = watermark;
    b.end = true;
    return b;
  }

  private static KeyedTask task(Inbox inbox, Watermarks entry) {
    return task(inbox, entry, List.of(Set.of("in"), Set.of("in")));
  }

  private static KeyedTask task(Inbox inbox, Watermarks entry, List<Set<String>> channelOperators) {
    TaskRuntime rt = new TaskRuntime("p", "keyed-0-0", PipelineConfig.builder().build(), s -> s);
    int n = channelOperators.size();
    return new KeyedTask(rt, 0, inbox, new Operator[] {entry}, n, null, new int[n], new String[n], new int[n],
        channelOperators);
  }

  @Test
  void when_an_operator_is_asked_for_then_its_input_watermark_is_the_minimum_of_the_channels_through_it() {
    // Given: channels 0 and 1 pass "left", channels 2 and 3 pass "right"
    Inbox inbox = new Inbox(16);
    Watermarks entry = new Watermarks();
    KeyedTask task = task(inbox, entry, List.of(Set.of("left"), Set.of("left"), Set.of("right"), Set.of("right")));
    inbox.offer(watermark(0, 100));
    inbox.offer(watermark(1, 200));
    inbox.offer(watermark(2, 300));
    inbox.offer(watermark(3, 400));
    task.runOnce(0);
    assertThat(task.watermark()).isEqualTo(100L);
    assertThat(task.rt.inputWatermark("left")).isEqualTo(100L);
    assertThat(task.rt.inputWatermark("right")).isEqualTo(300L);
    assertThat(task.rt.inputWatermark("elsewhere")).as("no channel passes it").isEqualTo(100L);

    // When: channel 2 goes idle; channel 3 is exhausted
    Batch idle = new Batch(2, 0, 1);
    idle.status = Batch.STATUS_IDLE;
    inbox.offer(idle);
    inbox.offer(end(3, Long.MAX_VALUE));
    task.runOnce(0);

    // Then: an idle channel still counts at its last watermark, an exhausted one no longer
    assertThat(task.rt.inputWatermark("right")).isEqualTo(300L);

    // When: channel 2 is exhausted too
    inbox.offer(end(2, Long.MAX_VALUE));
    task.runOnce(0);

    // Then: nothing more can come through "right"
    assertThat(task.rt.inputWatermark("right")).isEqualTo(Long.MAX_VALUE);
    assertThat(task.rt.inputWatermark("left")).isEqualTo(100L);
  }

  @Test
  void when_a_channel_through_an_operator_is_stopped_then_its_input_watermark_stays_there() {
    Inbox inbox = new Inbox(16);
    Watermarks entry = new Watermarks();
    KeyedTask task = task(inbox, entry, List.of(Set.of("left"), Set.of("right")));
    inbox.offer(watermark(0, 100));
    inbox.offer(watermark(1, 300));
    inbox.offer(end(1, Batch.NO_WATERMARK));
    inbox.offer(watermark(0, 500));
    task.runOnce(0);

    assertThat(task.rt.inputWatermark("right")).as("a stopped channel resumes at its watermark").isEqualTo(300L);
  }

  @Test
  void when_one_channel_was_stopped_then_the_others_do_not_move_the_watermark_past_it() {
    // Given: two channels at watermarks 100 and 50
    Inbox inbox = new Inbox(16);
    Watermarks entry = new Watermarks();
    KeyedTask task = task(inbox, entry);
    inbox.offer(watermark(0, 100));
    inbox.offer(watermark(1, 50));
    task.runOnce(0);
    assertThat(entry.seen).containsExactly(50L);

    // When: channel 1 is stopped (ends without reaching the end of time) and channel 0 moves on
    inbox.offer(end(1, Batch.NO_WATERMARK));
    inbox.offer(watermark(0, 500));
    task.runOnce(0);

    // Then: the watermark stays at channel 1's
    assertThat(entry.seen).containsExactly(50L);
    assertThat(task.watermark()).isEqualTo(50L);
  }

  @Test
  void when_one_channel_is_exhausted_then_it_stops_counting() {
    Inbox inbox = new Inbox(16);
    Watermarks entry = new Watermarks();
    KeyedTask task = task(inbox, entry);
    inbox.offer(watermark(0, 100));
    inbox.offer(watermark(1, 50));
    inbox.offer(end(1, Long.MAX_VALUE));
    inbox.offer(watermark(0, 500));
    task.runOnce(0);

    assertThat(entry.seen).containsExactly(50L, 100L, 500L);
  }

  @Test
  void when_a_channel_idle_at_the_checkpoint_delivers_again_after_a_restore_then_it_holds_the_watermark_back() {
    // Given: channel 1 went idle at 50 while channel 0 moved on to 500; a checkpoint of that
    Inbox inbox = new Inbox(16);
    KeyedTask before = task(inbox, new Watermarks());
    inbox.offer(watermark(0, 100));
    inbox.offer(watermark(1, 50));
    Batch idle = new Batch(1, 0, 1);
    idle.status = Batch.STATUS_IDLE;
    inbox.offer(idle);
    inbox.offer(watermark(0, 500));
    before.runOnce(0);
    assertThat(before.watermark()).isEqualTo(500L);
    byte[] checkpoint = before.snapshot(false);

    // When: restored; channel 1's restored source starts active, so it announces no change of status,
    // and delivers at 900 while channel 0 runs ahead to 10,000
    Inbox restoredInbox = new Inbox(16);
    Watermarks entry = new Watermarks();
    KeyedTask restored = task(restoredInbox, entry);
    restored.restore(checkpoint);
    restoredInbox.offer(watermark(0, 10_000));
    restoredInbox.offer(watermark(1, 900));
    restored.runOnce(0);

    // Then: channel 1 counts again, so its later records are not late
    assertThat(restored.watermark()).isEqualTo(900L);
    assertThat(entry.seen).containsExactly(900L);
  }
}
