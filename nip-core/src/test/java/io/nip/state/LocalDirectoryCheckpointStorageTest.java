package io.nip.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoints on a local directory: visible only once complete, kept two deep, names one to one. */
class LocalDirectoryCheckpointStorageTest {

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void when_a_checkpoint_is_not_completed_then_the_previous_one_stays_the_latest(@TempDir Path dir) {
    // Given: checkpoint 1 complete, checkpoint 2 written but not completed (a crash before the marker)
    CheckpointStorage s = CheckpointStorage.localDirectory(dir);
    s.write(1, "in-0", bytes("one"));
    s.complete(1);
    s.write(2, "in-0", bytes("two"));
    // When: a new process opens the directory
    CheckpointStorage reopened = CheckpointStorage.localDirectory(dir);
    // Then
    assertThat(reopened.latestCompleted()).hasValue(1L);
    assertThat(reopened.read(1, "in-0")).isEqualTo(bytes("one"));
    assertThat(reopened.read(1, "keyed-0-0")).isNull();
  }

  @Test
  void when_checkpoints_complete_then_the_two_latest_are_kept_and_older_or_torn_ones_go(@TempDir Path dir)
      throws IOException {
    CheckpointStorage s = CheckpointStorage.localDirectory(dir);
    s.write(1, "t", bytes("1"));
    s.complete(1);
    s.write(2, "t", bytes("2"));
    s.write(3, "t", bytes("3"));
    s.complete(3);
    s.write(4, "t", bytes("4"));
    s.complete(4);
    try (var list = Files.list(dir)) {
      assertThat(list.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("chk-3", "chk-4");
    }
    assertThat(s.latestCompleted()).hasValue(4L);
    assertThat(s.read(3, "t")).isEqualTo(bytes("3"));
  }

  @Test
  void task_ids_that_differ_only_in_unsafe_characters_get_their_own_files(@TempDir Path dir) {
    CheckpointStorage s = CheckpointStorage.localDirectory(dir);
    s.write(1, "a b-0", bytes("space"));
    s.write(1, "a_b-0", bytes("underscore"));
    s.write(1, "a/b-0", bytes("slash"));
    s.complete(1);
    assertThat(s.read(1, "a b-0")).isEqualTo(bytes("space"));
    assertThat(s.read(1, "a_b-0")).isEqualTo(bytes("underscore"));
    assertThat(s.read(1, "a/b-0")).isEqualTo(bytes("slash"));
  }
}
