package io.nip.state.redis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nip.errors.ConfigurationException;
import io.nip.state.CheckpointStorage;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The checkpoint storage alone on a real Redis: parts, atomic completion, retention, refusals, threads. */
class RedisCheckpointStorageTest {
  static EmbeddedRedis redis;
  RedisCheckpointStorage storage;

  @BeforeAll
  static void startRedis() {
    redis = EmbeddedRedis.start();
  }

  @AfterAll
  static void stopRedis() throws Exception {
    redis.close();
  }

  @BeforeEach
  void setUp() {
    redis.flushAll();
    storage = open();
  }

  @AfterEach
  void tearDown() {
    storage.close();
  }

  private RedisCheckpointStorage open() {
    return RedisCheckpointStorage.builder().uri(redis.uri()).pipeline("orders").build();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }

  private void checkpoint(CheckpointStorage s, long id, String... tasks) {
    for (String t : tasks) {
      s.write(id, t, bytes(t + "@" + id));
    }
    s.complete(id);
  }

  @Test
  void when_parts_are_written_and_completed_then_they_are_the_latest_checkpoint() {
    // Given: an empty storage
    assertThat(storage.latestCompleted()).isEmpty();
    assertThat(storage.commitsStoreWrites()).isFalse();
    // When
    checkpoint(storage, 1, "source-0", "keyed-0-0");
    // Then
    assertThat(storage.latestCompleted()).hasValue(1);
    assertThat(storage.read(1, "keyed-0-0")).asString(UTF_8).isEqualTo("keyed-0-0@1");
    assertThat(storage.read(1, "nobody")).isNull();
    assertThat(storage.name()).isEqualTo("redis:127.0.0.1:" + redis.uri().substring(redis.uri().lastIndexOf(':') + 1)
        + "/0/orders:orders:#checkpoint");
    assertThat(redis.redis().get("orders:orders:#checkpoint:latest")).isEqualTo("1");
    assertThat(redis.redis().hkeys("orders:orders:#checkpoint:1")).containsExactlyInAnyOrder("source-0", "keyed-0-0");
  }

  @Test
  void when_a_crash_leaves_a_checkpoint_uncompleted_then_the_previous_one_stays_the_latest() {
    // Given: checkpoint 1 completed, checkpoint 2 written by every task but never completed (crash)
    checkpoint(storage, 1, "a", "b");
    storage.write(2, "a", bytes("a@2"));
    storage.write(2, "b", bytes("b@2"));
    storage.close();
    // When: a new process opens the storage
    storage = open();
    // Then: checkpoint 1 is the latest, whole
    assertThat(storage.latestCompleted()).hasValue(1);
    assertThat(storage.read(1, "a")).asString(UTF_8).isEqualTo("a@1");
    assertThat(storage.read(1, "b")).asString(UTF_8).isEqualTo("b@1");
    // and the next completion cleans up the abandoned parts
    checkpoint(storage, 3, "a", "b");
    assertThat(redis.redis().exists("orders:orders:#checkpoint:2")).isZero();
    assertThat(redis.redis().zrange("orders:orders:#checkpoint:written", 0, -1)).containsExactly("1", "3");
  }

  @Test
  void the_two_latest_completed_checkpoints_are_kept() {
    for (long id = 1; id <= 5; id++) {
      checkpoint(storage, id, "t");
    }
    assertThat(storage.latestCompleted()).hasValue(5);
    assertThat(redis.redis().zrange("orders:orders:#checkpoint:completed", 0, -1)).containsExactly("4", "5");
    assertThat(redis.redis().keys("orders:orders:#checkpoint:[0-9]*")).containsExactlyInAnyOrder(
        "orders:orders:#checkpoint:4", "orders:orders:#checkpoint:5");
    assertThat(storage.read(4, "t")).asString(UTF_8).isEqualTo("t@4");
  }

  @Test
  void a_retention_of_three_keeps_three() {
    try (RedisCheckpointStorage three = RedisCheckpointStorage.builder().uri(redis.uri()).pipeline("orders")
        .keyPrefix("other").retained(3).build()) {
      for (long id = 1; id <= 5; id++) {
        checkpoint(three, id, "t");
      }
      assertThat(redis.redis().zrange("other:orders:#checkpoint:completed", 0, -1)).containsExactly("3", "4", "5");
    }
  }

  @Test
  void nothing_is_refused_silently() {
    checkpoint(storage, 5, "t");
    // a part for a completed (or older) checkpoint
    assertThatThrownBy(() -> storage.write(5, "t", bytes("changed")))
        .isInstanceOf(CheckpointStorage.StorageFailure.class).hasMessageContaining("not newer");
    assertThatThrownBy(() -> storage.write(4, "t", bytes("old")))
        .isInstanceOf(CheckpointStorage.StorageFailure.class).hasMessageContaining("not newer");
    // completing a checkpoint without parts
    assertThatThrownBy(() -> storage.complete(6))
        .isInstanceOf(CheckpointStorage.StorageFailure.class).hasMessageContaining("no part");
    // completing one that is not newer
    assertThatThrownBy(() -> storage.complete(5))
        .isInstanceOf(CheckpointStorage.StorageFailure.class).hasMessageContaining("not newer");
    // a key of the wrong type: refused before anything changed
    redis.redis().set("orders:orders:#checkpoint:completed", "garbage");
    storage.write(7, "t", bytes("t@7"));
    assertThatThrownBy(() -> storage.complete(7))
        .isInstanceOf(CheckpointStorage.StorageFailure.class).hasMessageContaining("#checkpoint:completed");
    // Then: checkpoint 5 is untouched
    assertThat(storage.latestCompleted()).hasValue(5);
    assertThat(storage.read(5, "t")).asString(UTF_8).isEqualTo("t@5");
  }

  @Test
  void a_corrupt_latest_marker_is_reported() {
    redis.redis().set("orders:orders:#checkpoint:latest", "yesterday");
    assertThatThrownBy(storage::latestCompleted).isInstanceOf(CheckpointStorage.StorageFailure.class)
        .hasMessageContaining("yesterday");
  }

  @Test
  void the_builder_names_bad_settings() {
    assertThatThrownBy(() -> RedisCheckpointStorage.builder().pipeline("p").build())
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("redis.uri");
    assertThatThrownBy(() -> RedisCheckpointStorage.builder().uri(redis.uri()).build())
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("pipeline");
    assertThatThrownBy(() -> RedisCheckpointStorage.builder().uri("http://x").pipeline("p").build())
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("redis.uri").hasMessageContaining("http://x");
    assertThatThrownBy(() -> RedisCheckpointStorage.builder().retained(0))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("0");
  }

  @Test
  void when_many_tasks_write_concurrently_then_every_completed_checkpoint_holds_every_part() throws Exception {
    // Given: 8 task threads writing their parts of 20 checkpoints, a coordinator completing each
    int tasks = 8;
    int checkpoints = 20;
    ExecutorService pool = Executors.newFixedThreadPool(tasks);
    try {
      for (long id = 1; id <= checkpoints; id++) {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> writes = new ArrayList<>();
        for (int t = 0; t < tasks; t++) {
          String task = "task-" + t;
          long cp = id;
          writes.add(pool.submit(() -> {
            start.await();
            storage.write(cp, task, bytes(task + "@" + cp + "#" + "x".repeat(1_000 * (int) (cp % 3))));
            return null;
          }));
        }
        start.countDown();
        for (Future<?> f : writes) {
          f.get(10, TimeUnit.SECONDS);
        }
        storage.complete(id);
        // Then: the checkpoint is whole
        OptionalLong latest = storage.latestCompleted();
        assertThat(latest).hasValue(id);
        for (int t = 0; t < tasks; t++) {
          assertThat(new String(storage.read(id, "task-" + t), UTF_8)).startsWith("task-" + t + "@" + id + "#");
        }
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(redis.redis().zrange("orders:orders:#checkpoint:completed", 0, -1)).containsExactly("19", "20");
  }

  @Test
  void readers_in_other_threads_never_see_a_half_completed_checkpoint() throws Exception {
    // Given: a reader that keeps checking that the latest checkpoint is whole
    checkpoint(storage, 1, "a", "b", "c");
    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    List<String> problems = new java.util.concurrent.CopyOnWriteArrayList<>();
    Thread reader = new Thread(() -> {
      try (RedisCheckpointStorage other = open()) {
        while (!stop.get()) {
          long id = other.latestCompleted().orElseThrow();
          for (String t : List.of("a", "b", "c")) {
            byte[] part = other.read(id, t);
            if (part == null || !new String(part, UTF_8).equals(t + "@" + id)) {
              // a part may only be missing when the checkpoint was pruned after we read its id
              if (other.latestCompleted().orElseThrow() <= id + 1) {
                problems.add("checkpoint " + id + " task " + t + ": " + (part == null ? null : new String(part, UTF_8)));
              }
            }
          }
        }
      }
    });
    reader.start();
    // When: 200 more checkpoints complete
    for (long id = 2; id <= 200; id++) {
      checkpoint(storage, id, "a", "b", "c");
    }
    stop.set(true);
    reader.join(10_000);
    // Then
    assertThat(problems).isEmpty();
  }
}
