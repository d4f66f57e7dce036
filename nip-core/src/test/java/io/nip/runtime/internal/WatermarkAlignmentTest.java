package io.nip.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.errors.ErrorPolicy;
import io.nip.pipeline.PipelineConfig;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Watermark alignment in a keyed task: a channel more than the maximum drift ahead of the slowest
 * active channel with a watermark is paused in the inbox, and its producer hands over nothing more,
 * except the batches up to its barrier while a checkpoint waits for this task.
 */
class WatermarkAlignmentTest {
  private static final Duration DRIFT = Duration.ofMillis(100);

  private static Batch watermark(int channel, long watermark) {
    return KeyedTaskStopTest.watermark(channel, watermark);
  }

  private static Batch status(int channel, byte status) {
    Batch b = new Batch(channel, 0, 1);
    b.status = status;
    return b;
  }

  /** A task without a start-up wait, its channels straight from source tasks. */
  private static KeyedTask task(Inbox inbox, int channels) {
    return task(inbox, new int[channels], Duration.ZERO);
  }

  /** @param channelTask per channel, its source task, or -1 for a channel from an upstream keyed task */
  private static KeyedTask task(Inbox inbox, int[] channelTask, Duration startupWait) {
    int channels = channelTask.length;
    TaskRuntime rt = new TaskRuntime("p", "keyed-0-0",
        PipelineConfig.builder().watermarkAlignment(DRIFT, startupWait).build(), s -> s);
    return new KeyedTask(rt, 0, inbox, new Operator[] {new KeyedTaskStopTest.Watermarks()}, channels, null,
        channelTask, new String[channels], new int[channels], java.util.Collections.nCopies(channels, Set.of()));
  }

  private static KeyedTask waitingTask(Inbox inbox, int channels) {
    return task(inbox, new int[channels], PipelineConfig.DEFAULT_ALIGNMENT_STARTUP_WAIT);
  }

  @Test
  void when_a_channel_runs_more_than_the_drift_ahead_then_it_is_paused_until_the_slow_one_catches_up() {
    // Given: three channels at 1000, 1100 (exactly the drift ahead) and 1101
    Inbox inbox = new Inbox(16);
    KeyedTask task = task(inbox, 3);
    inbox.offer(watermark(0, 1000));
    inbox.offer(watermark(1, 1100));
    inbox.offer(watermark(2, 1101));
    task.runOnce(0);

    // Then: only the one beyond the drift is held back
    assertThat(inbox.isAlignPaused(0)).isFalse();
    assertThat(inbox.isAlignPaused(1)).as("exactly the drift ahead").isFalse();
    assertThat(inbox.isAlignPaused(2)).isTrue();
    assertThat(inbox.isPaused(2)).as("a barrier pause is another matter").isFalse();

    // When: the slowest channel moves on
    inbox.offer(watermark(0, 1050));
    task.runOnce(0);

    // Then: the held-back channel is within the drift again
    assertThat(inbox.isAlignPaused(2)).isFalse();
    assertThat(task.alignedChannels()).isZero();
  }

  @Test
  void when_the_slow_channel_goes_idle_or_ends_then_it_no_longer_holds_the_others_back() {
    Inbox inbox = new Inbox(16);
    KeyedTask task = task(inbox, 3);
    inbox.offer(watermark(0, 0));
    inbox.offer(watermark(1, 500));
    inbox.offer(watermark(2, 5_000));
    task.runOnce(0);
    assertThat(inbox.isAlignPaused(1)).isTrue();
    assertThat(inbox.isAlignPaused(2)).isTrue();

    // idle: channel 1 is now the slowest that counts, and channel 2 is still too far ahead of it
    inbox.offer(status(0, Batch.STATUS_IDLE));
    task.runOnce(0);
    assertThat(inbox.isAlignPaused(1)).isFalse();
    assertThat(inbox.isAlignPaused(2)).isTrue();

    // exhausted: only channel 2 counts
    Batch end = watermark(1, Long.MAX_VALUE);
    end.end = true;
    inbox.offer(end);
    task.runOnce(0);
    assertThat(inbox.isAlignPaused(2)).isFalse();

    // active again, at its old watermark: channel 2 is held back once more
    inbox.offer(status(0, Batch.STATUS_ACTIVE));
    task.runOnce(0);
    assertThat(inbox.isAlignPaused(2)).isTrue();
  }

  @Test
  void a_channel_without_a_watermark_holds_the_others_back_only_during_the_start_up_wait() {
    // Given: channel 0 has not reported (a consumer still joining its group, or an empty partition)
    Inbox inbox = new Inbox(16);
    KeyedTask task = waitingTask(inbox, 2);
    inbox.offer(watermark(1, 1_000_000));
    task.runOnce(0);
    assertThat(inbox.isAlignPaused(1)).as("within the start-up wait").isTrue();

    // When: the start-up wait has passed
    task.runOnce(PipelineConfig.DEFAULT_ALIGNMENT_STARTUP_WAIT.toMillis());

    // Then: the silent channel holds back the task's watermark, not the other records
    assertThat(inbox.isAlignPaused(1)).isFalse();
    assertThat(task.watermark()).isEqualTo(Long.MIN_VALUE);
  }

  @Test
  void when_the_silent_channel_reports_within_the_start_up_wait_then_the_drift_applies_at_once() {
    Inbox inbox = new Inbox(16);
    KeyedTask task = waitingTask(inbox, 2);
    inbox.offer(watermark(1, 1_000));
    task.runOnce(0);
    assertThat(inbox.isAlignPaused(1)).isTrue();

    inbox.offer(watermark(0, 950));
    task.runOnce(10);
    assertThat(inbox.isAlignPaused(1)).as("within the drift of channel 0").isFalse();
  }

  @Test
  void without_a_start_up_wait_a_channel_counts_once_it_reported() {
    Inbox inbox = new Inbox(16);
    KeyedTask task = task(inbox, 2);
    inbox.offer(watermark(1, 1_000_000));
    task.runOnce(0);

    assertThat(inbox.isAlignPaused(1)).isFalse();
  }

  @Test
  void a_channel_from_an_upstream_keyed_task_is_never_held_back_and_holds_none_back() {
    // channel 1 comes from a keyed task: it never reports idleness, so it must not take part
    Inbox inbox = new Inbox(16);
    KeyedTask task = task(inbox, new int[] {0, -1, 1}, PipelineConfig.DEFAULT_ALIGNMENT_STARTUP_WAIT);
    inbox.offer(watermark(0, 1_000));
    inbox.offer(watermark(2, 1_050));
    task.runOnce(0);
    assertThat(inbox.isAlignPaused(0)).as("the silent keyed channel holds nothing back").isFalse();

    inbox.offer(watermark(1, 5_000));
    inbox.offer(watermark(2, 1_200));
    task.runOnce(1);
    assertThat(inbox.isAlignPaused(1)).as("far ahead, but from a keyed task").isFalse();
    assertThat(inbox.isAlignPaused(2)).isTrue();
  }

  @Test
  void without_alignment_no_channel_is_paused() {
    Inbox inbox = new Inbox(16);
    TaskRuntime rt = new TaskRuntime("p", "keyed-0-0", PipelineConfig.builder().build(), s -> s);
    KeyedTask task = new KeyedTask(rt, 0, inbox, new Operator[] {new KeyedTaskStopTest.Watermarks()}, 2, null,
        new int[2], new String[2], new int[2], List.of(Set.of(), Set.of()));
    inbox.offer(watermark(0, 0));
    inbox.offer(watermark(1, Long.MAX_VALUE - 1));
    task.runOnce(0);

    assertThat(inbox.isAlignPaused(1)).isFalse();
  }

  @Test
  void a_paused_channel_hands_over_its_batches_up_to_the_barrier_of_an_awaited_checkpoint_and_no_further() {
    // Given: a producer's channel 0 held back for its watermark, with two full batches pending
    long[] requested = {0};
    Inbox inbox = new Inbox(16);
    inbox.channels(2);
    inbox.checkpoints(() -> requested[0], 0);
    TaskRuntime rt = new TaskRuntime("p", "source-0", PipelineConfig.builder().build(), s -> s);
    ExchangeOp exchange = new ExchangeOp(v -> v, new Guard("key", ErrorPolicy.skip(), rt), new Inbox[] {inbox}, 0, 0,
        2);
    exchange.open(rt);
    inbox.align(0, true);
    for (int i = 0; i < 4; i++) {
      exchange.process("r" + i);
    }
    assertThat(exchange.flush()).as("held back").isFalse();
    assertThat(inbox.size()).isZero();

    // When: checkpoint 1 is requested: the pending batches go, so that the task reads on to the barrier
    requested[0] = 1;
    assertThat(exchange.flush()).isTrue();
    assertThat(inbox.size()).isEqualTo(2);

    // the barrier is sealed with a record after it: the batch up to the barrier goes, the later one waits
    exchange.process("r4");
    exchange.barrier(1, 0);
    exchange.process("r5");
    exchange.process("r6"); // fills a batch after the barrier
    assertThat(exchange.flush()).isFalse();
    assertThat(drain(inbox)).containsExactly(2, 2, 1);

    // once the task aligned the barrier, the pause holds again
    inbox.aligned(1);
    assertThat(exchange.flush()).isFalse();
    assertThat(inbox.size()).isZero();

    // and when the channel is let go, the rest follows in order
    inbox.align(0, false);
    assertThat(exchange.flush()).isTrue();
    assertThat(drain(inbox)).containsExactly(2);
  }

  @Test
  void once_the_pipeline_is_stopping_a_paused_channel_hands_over_what_it_holds() {
    Inbox inbox = new Inbox(16);
    inbox.channels(1);
    TaskRuntime rt = new TaskRuntime("p", "source-0", PipelineConfig.builder().build(), s -> s);
    ExchangeOp exchange = new ExchangeOp(v -> v, new Guard("key", ErrorPolicy.skip(), rt), new Inbox[] {inbox}, 0, 0,
        2);
    exchange.open(rt);
    inbox.align(0, true);
    exchange.process("r0");
    exchange.process("r1");
    assertThat(exchange.flush()).isFalse();

    rt.stopping = true;
    assertThat(exchange.flush()).isTrue();
    assertThat(drain(inbox)).containsExactly(2);
  }

  /** @return the sizes of the batches polled, in order */
  private static List<Integer> drain(Inbox inbox) {
    List<Integer> sizes = new java.util.ArrayList<>();
    for (Batch b = inbox.poll(); b != null; b = inbox.poll()) {
      sizes.add(b.size);
    }
    return sizes;
  }
}
