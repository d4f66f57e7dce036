package io.nip.state.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nip.errors.StateException;
import io.nip.serde.Serdes;
import io.nip.state.KeyValueStore;
import io.nip.state.SessionStore;
import io.nip.state.StateBackend.LocalCheckpoint;
import io.nip.state.StateBackend.StoreScope;
import io.nip.state.StateBackend.TaskScope;
import io.nip.state.StoreIterator;
import io.nip.state.StoreSpec;
import io.nip.state.WindowStore;
import io.nip.time.ManualClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Local checkpoints: what {@code openLocalCheckpoint} brings back is exactly what was checkpointed
 * and confirmed, never an unconfirmed checkpoint nor one newer than the committed id; retention,
 * confirmations from another thread, hard links, and a restart of the process.
 */
class RocksDbLocalCheckpointTest {
  private static final TaskScope TASK = new TaskScope("app", "keyed-1-0");
  private static final StoreScope SCOPE = new StoreScope("app", "keyed-1-0", "count");
  private static final StoreSpec<String, Long> COUNTS = StoreSpec.keyValue("counts", Serdes.string(), Serdes.json(Long.class));
  private static final StoreSpec<String, Long> WINDOWS = StoreSpec.of("windows", Serdes.string(), Serdes.json(Long.class));
  private static final StoreSpec<String, Long> SESSIONS = StoreSpec.of("sessions", Serdes.string(), Serdes.json(Long.class));
  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-17T17:00:00Z"));
  @TempDir
  Path dir;
  private RocksDbStateBackend backend;

  private RocksDbStateBackend backend() {
    if (backend == null) {
      backend = RocksDbStateBackend.builder(dir).blockCacheSize(8L << 20).writeBufferSize(2L << 20)
          .writeCacheEntries(100).build();
    }
    return backend;
  }

  private void restartProcess() {
    backend.close();
    backend = null;
  }

  @AfterEach
  void close() {
    if (backend != null) {
      backend.close();
    }
  }

  private KeyValueStore<String, Long> counts() {
    return backend().createKeyValueStore(COUNTS, SCOPE, clock);
  }

  private static Map<String, Long> contents(KeyValueStore<String, Long> s) {
    Map<String, Long> m = new HashMap<>();
    s.forEach(m::put);
    return m;
  }

  private static <T> List<T> drain(StoreIterator<T> it) {
    try (it) {
      List<T> out = new ArrayList<>();
      it.forEachRemaining(out::add);
      return out;
    }
  }

  private Path checkpoints() {
    return backend().taskDirectory(TASK).resolve("checkpoints");
  }

  private List<String> checkpointDirs() throws IOException {
    try (Stream<Path> s = Files.list(checkpoints())) {
      return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
    }
  }

  @Test
  void when_a_confirmed_checkpoint_is_opened_then_every_store_holds_exactly_its_content() {
    // Given: three kinds of store, written (partly still in the write cache) and checkpointed
    KeyValueStore<String, Long> kv = counts();
    WindowStore<String, Long> windows = backend().createWindowStore(WINDOWS, SCOPE, clock);
    SessionStore<String, Long> sessions = backend().createSessionStore(SESSIONS, SCOPE, clock);
    for (int i = 0; i < 500; i++) {
      kv.put("k" + i, (long) i);
    }
    windows.put("a", Instant.ofEpochMilli(0), 1L);
    sessions.put("a", Instant.ofEpochMilli(0), Instant.ofEpochMilli(10), 2L);
    backend().checkpointLocally(TASK, 1);
    backend().confirmLocalCheckpoint(TASK, 1, Map.of("count/counts", 42L, "count/windows", 7L));
    // When: more writes after the checkpoint, then the task's state is reopened
    kv.put("k0", 1000L);
    kv.delete("k1");
    kv.put("new", 1L);
    windows.put("a", Instant.ofEpochMilli(60_000), 3L);
    sessions.remove("a", Instant.ofEpochMilli(0), Instant.ofEpochMilli(10));
    Optional<LocalCheckpoint> opened = backend().openLocalCheckpoint(TASK, 1);
    // Then: the positions come back, and new stores hold the checkpoint's content
    assertThat(opened).contains(new LocalCheckpoint(1, Map.of("count/counts", 42L, "count/windows", 7L)));
    Map<String, Long> expected = new HashMap<>();
    for (int i = 0; i < 500; i++) {
      expected.put("k" + i, (long) i);
    }
    assertThat(contents(counts())).isEqualTo(expected);
    WindowStore<String, Long> windowsAgain = backend().createWindowStore(WINDOWS, SCOPE, clock);
    assertThat(drain(windowsAgain.fetch("a", Instant.MIN, Instant.MAX)))
        .containsExactly(new WindowStore.Entry<>("a", Instant.ofEpochMilli(0), 1L));
    SessionStore<String, Long> sessionsAgain = backend().createSessionStore(SESSIONS, SCOPE, clock);
    assertThat(sessionsAgain.fetchSession("a", Instant.ofEpochMilli(0), Instant.ofEpochMilli(10))).isEqualTo(2L);
    // And the stores opened before are unusable rather than silently detached
    assertThatThrownBy(() -> kv.get("k0")).isInstanceOf(StateException.class).hasMessageContaining("count/counts");
  }

  @Test
  void when_the_newest_checkpoint_is_unconfirmed_then_the_older_confirmed_one_is_opened() {
    KeyValueStore<String, Long> kv = counts();
    kv.put("a", 1L);
    backend().checkpointLocally(TASK, 1);
    backend().confirmLocalCheckpoint(TASK, 1, Map.of());
    kv.put("a", 2L);
    backend().checkpointLocally(TASK, 2); // its commit never happened

    Optional<LocalCheckpoint> opened = backend().openLocalCheckpoint(TASK, 5);

    assertThat(opened.map(LocalCheckpoint::checkpointId)).contains(1L);
    assertThat(counts().get("a")).isEqualTo(1L);
  }

  @Test
  void when_a_confirmed_checkpoint_is_newer_than_the_committed_id_then_it_is_never_opened_and_is_dropped()
      throws IOException {
    KeyValueStore<String, Long> kv = counts();
    kv.put("a", 1L);
    backend().checkpointLocally(TASK, 1);
    backend().confirmLocalCheckpoint(TASK, 1, Map.of("count/counts", 10L));
    kv.put("a", 2L);
    backend().checkpointLocally(TASK, 2);
    backend().confirmLocalCheckpoint(TASK, 2, Map.of("count/counts", 20L));

    Optional<LocalCheckpoint> opened = backend().openLocalCheckpoint(TASK, 1);

    assertThat(opened).contains(new LocalCheckpoint(1, Map.of("count/counts", 10L)));
    assertThat(counts().get("a")).isEqualTo(1L);
    assertThat(checkpointDirs()).containsExactly("chk-1");
  }

  @Test
  void when_no_checkpoint_qualifies_then_the_task_starts_empty() {
    KeyValueStore<String, Long> kv = counts();
    kv.put("a", 1L);
    backend().checkpointLocally(TASK, 3); // never confirmed

    assertThat(backend().openLocalCheckpoint(TASK, 10)).isEmpty();
    assertThat(contents(counts())).isEmpty();
    assertThat(backend().openLocalCheckpoint(new TaskScope("app", "never-seen"), 10)).isEmpty();
  }

  @Test
  void when_checkpoints_are_confirmed_then_the_two_newest_confirmed_stay_with_newer_unconfirmed_ones()
      throws IOException {
    KeyValueStore<String, Long> kv = counts();
    for (long id = 1; id <= 6; id++) {
      kv.put("a", id);
      backend().checkpointLocally(TASK, id);
    }
    backend().confirmLocalCheckpoint(TASK, 2, Map.of());
    backend().confirmLocalCheckpoint(TASK, 3, Map.of());
    backend().confirmLocalCheckpoint(TASK, 4, Map.of());
    assertThat(checkpointDirs()).containsExactly("chk-3", "chk-4", "chk-5", "chk-6");
    backend().confirmLocalCheckpoint(TASK, 6, Map.of());
    assertThat(checkpointDirs()).containsExactly("chk-4", "chk-6");
    assertThat(backend().openLocalCheckpoint(TASK, 5).map(LocalCheckpoint::checkpointId)).contains(4L);
    assertThat(counts().get("a")).isEqualTo(4L);
  }

  @Test
  void when_checkpoints_are_confirmed_from_another_thread_then_the_task_keeps_checkpointing() throws Exception {
    KeyValueStore<String, Long> kv = counts();
    List<CompletableFuture<Void>> confirmations = new ArrayList<>();
    for (long id = 1; id <= 20; id++) {
      for (int i = 0; i < 100; i++) {
        kv.put("k" + i, id);
      }
      backend().checkpointLocally(TASK, id);
      long confirmed = id;
      confirmations.add(CompletableFuture.runAsync(
          () -> backend.confirmLocalCheckpoint(TASK, confirmed, Map.of("count/counts", confirmed * 100))));
    }
    CompletableFuture.allOf(confirmations.toArray(new CompletableFuture<?>[0])).get();

    Optional<LocalCheckpoint> opened = backend().openLocalCheckpoint(TASK, 20);

    assertThat(opened).contains(new LocalCheckpoint(20, Map.of("count/counts", 2000L)));
    assertThat(contents(counts())).hasSize(100).containsEntry("k7", 20L);
  }

  @Test
  void when_a_checkpoint_is_written_then_its_sst_files_are_hard_links_and_its_confirmation_is_complete()
      throws IOException {
    KeyValueStore<String, Long> kv = counts();
    kv.put("a", 1L);
    backend().checkpointLocally(TASK, 1);
    backend().checkpointLocally(TASK, 2);
    backend().confirmLocalCheckpoint(TASK, 2, Map.of("op/store:with=odd chars", 5L));

    List<Path> ssts;
    try (Stream<Path> s = Files.walk(checkpoints().resolve("chk-2"))) {
      ssts = s.filter(p -> p.toString().endsWith(".sst")).collect(Collectors.toList());
    }
    assertThat(ssts).isNotEmpty().allSatisfy(p -> assertThat((Integer) Files.getAttribute(p, "unix:nlink")).isGreaterThan(1));
    assertThat(checkpoints().resolve("chk-2").resolve("_CONFIRMED")).exists();
    assertThat(checkpoints().resolve("chk-2").resolve("_CONFIRMED.tmp")).doesNotExist();
    assertThat(backend().openLocalCheckpoint(TASK, 2))
        .contains(new LocalCheckpoint(2, Map.of("op/store:with=odd chars", 5L)));
  }

  @Test
  void when_the_process_restarts_then_the_live_database_is_not_trusted_but_a_confirmed_checkpoint_is() {
    // Given: a checkpoint confirmed, later writes, then the process ends
    KeyValueStore<String, Long> kv = counts();
    kv.put("a", 1L);
    backend().checkpointLocally(TASK, 1);
    backend().confirmLocalCheckpoint(TASK, 1, Map.of("count/counts", 3L));
    kv.put("a", 2L);
    kv.put("b", 2L);
    restartProcess();
    // When: a new process creates the store without opening a checkpoint first, it starts empty
    assertThat(contents(counts())).isEmpty();
    restartProcess();
    // Then: a new process that opens the local checkpoint first gets its content and positions
    assertThat(backend().openLocalCheckpoint(TASK, 1)).contains(new LocalCheckpoint(1, Map.of("count/counts", 3L)));
    assertThat(contents(counts())).containsOnly(Map.entry("a", 1L));
  }

  @Test
  void when_a_checkpoint_id_is_reused_by_a_later_run_then_the_old_directory_is_replaced() {
    KeyValueStore<String, Long> kv = counts();
    kv.put("a", 1L);
    backend().checkpointLocally(TASK, 1);
    backend().confirmLocalCheckpoint(TASK, 1, Map.of());
    kv.put("a", 2L);
    backend().checkpointLocally(TASK, 2);
    backend().openLocalCheckpoint(TASK, 1);
    KeyValueStore<String, Long> again = counts();
    again.put("a", 3L);

    backend().checkpointLocally(TASK, 2);
    backend().confirmLocalCheckpoint(TASK, 2, Map.of());

    assertThat(backend().openLocalCheckpoint(TASK, 2).map(LocalCheckpoint::checkpointId)).contains(2L);
    assertThat(counts().get("a")).isEqualTo(3L);
  }

  @Test
  void when_a_confirmation_arrives_after_a_newer_ones_then_it_is_ignored() throws IOException {
    counts().put("a", 1L);
    backend().checkpointLocally(TASK, 1);
    backend().checkpointLocally(TASK, 2);
    backend().confirmLocalCheckpoint(TASK, 2, Map.of("count/counts", 2L));

    backend().confirmLocalCheckpoint(TASK, 1, Map.of("count/counts", 1L));

    assertThat(checkpointDirs()).containsExactly("chk-2");
    assertThat(backend().openLocalCheckpoint(TASK, 2)).contains(new LocalCheckpoint(2, Map.of("count/counts", 2L)));
  }

  @Test
  void when_a_checkpoint_that_was_never_written_is_confirmed_then_it_fails_naming_it() {
    counts().put("a", 1L);
    assertThatThrownBy(() -> backend().confirmLocalCheckpoint(TASK, 9, Map.of()))
        .isInstanceOf(StateException.class).hasMessageContaining("9").hasMessageContaining("keyed-1-0");
    assertThatThrownBy(() -> backend().checkpointLocally(TASK, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive");
  }

  @Test
  void when_the_local_state_is_dropped_then_the_task_directory_is_gone_and_stores_start_empty() {
    counts().put("a", 1L);
    backend().checkpointLocally(TASK, 1);
    backend().confirmLocalCheckpoint(TASK, 1, Map.of());

    backend().dropLocalState(TASK);

    assertThat(backend().taskDirectory(TASK)).doesNotExist();
    assertThat(backend().openLocalCheckpoint(TASK, 1)).isEmpty();
    assertThat(contents(counts())).isEmpty();
  }
}
