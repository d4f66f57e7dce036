package io.nip.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nip.errors.ConfigurationException;
import io.nip.errors.SerializationException;
import io.nip.jdbc.embedded.PostgresDatabase;
import io.nip.jdbc.testing.PostgresExtension;
import io.nip.serde.Serde;
import io.nip.serde.Serdes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The PostgreSQL event store against a real server: append, read and replay; optimistic versions
 * with two writers racing in two threads on their own connections; snapshots; the append-only
 * trigger; bad input and unreachable databases.
 */
@ExtendWith(PostgresExtension.class)
class EventStoreTest {

  /** A cart's item count, folded from its events. */
  record Cart(int items, long lastVersion) {
    static final Serde<Cart> SERDE = Serdes.json(Cart.class);

    Cart apply(RecordedEvent e) {
      int n = e.payload().path("qty").asInt();
      return new Cart(e.eventType().equals("item_removed") ? items - n : items + n, e.version());
    }
  }

  private static EventStore.Builder store(PostgresDatabase db, String aggregate) {
    return EventStore.builder(aggregate).jdbcUrl(db.jdbcUrl()).user(db.user()).password("ignored");
  }

  private static EventData added(int qty) {
    return EventData.of("item_added", Map.of("qty", qty));
  }

  private static long count(PostgresDatabase db, String sql) throws SQLException {
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void appended_events_get_versions_from_1_and_read_and_replay_back_in_order(PostgresDatabase db) {
    try (EventStore store = store(db, "cart").build()) {
      // Given a new aggregate (version 0)
      assertThat(store.currentVersion("cart-1")).isZero();
      assertThat(store.getEvents("cart-1", 0)).isEmpty();

      // When three events are appended, then two more after them
      long v = store.append("cart-1", 0, List.of(added(2), added(3),
          EventData.of("item_removed", Map.of("qty", 1)).withMetadata(Map.of("correlation_id", "req-9"))));
      assertThat(v).isEqualTo(3);
      v = store.append("cart-1", v, List.of(added(10), added(20)));

      // Then they read back with versions 1..5, their types, payloads and metadata
      assertThat(v).isEqualTo(5);
      assertThat(store.currentVersion("cart-1")).isEqualTo(5);
      List<RecordedEvent> all = store.getEvents("cart-1", 0);
      assertThat(all).extracting(RecordedEvent::version).containsExactly(1L, 2L, 3L, 4L, 5L);
      assertThat(all).extracting(RecordedEvent::eventType)
          .containsExactly("item_added", "item_added", "item_removed", "item_added", "item_added");
      assertThat(all.get(2).metadata()).isEqualTo(Map.of("correlation_id", "req-9"));
      assertThat(all.get(0).metadata()).isEmpty();
      assertThat(all.get(0).payloadAs(Map.class)).isEqualTo(Map.of("qty", 2));
      assertThat(all).allSatisfy(e -> {
        assertThat(e.aggregateName()).isEqualTo("cart");
        assertThat(e.aggregateId()).isEqualTo("cart-1");
        assertThat(e.recordedAt()).isNotNull();
      });
      assertThat(store.getEvents("cart-1", 4)).extracting(RecordedEvent::version).containsExactly(4L, 5L);
      assertThat(store.getEvents("cart-1", 6)).isEmpty();

      // and a replay folds them: 2 + 3 - 1 + 10 + 20
      Replayed<Cart> cart = store.replay("cart-1", new Cart(0, 0), Cart::apply);
      assertThat(cart.state()).isEqualTo(new Cart(34, 5));
      assertThat(cart.version()).isEqualTo(5);
      assertThat(cart.eventsApplied()).isEqualTo(5);
      assertThat(cart.snapshotVersion()).isZero();
      // from a version: the state given must reflect the versions before
      Replayed<Cart> tail = store.replay("cart-1", 4, new Cart(4, 3), Cart::apply);
      assertThat(tail.state()).isEqualTo(new Cart(34, 5));
      assertThat(tail.eventsApplied()).isEqualTo(2);
      // asked from beyond the last version: nothing applied, the version is the aggregate's own
      assertThat(store.replay("cart-1", 9, new Cart(34, 5), Cart::apply))
          .isEqualTo(new Replayed<>(new Cart(34, 5), 5, 0, 0));
      // an aggregate without events replays to the initial state at version 0
      assertThat(store.replay("cart-2", new Cart(0, 0), Cart::apply))
          .isEqualTo(new Replayed<>(new Cart(0, 0), 0, 0, 0));
    }
  }

  @Test
  void when_the_expected_version_is_not_the_current_one_then_the_append_is_refused_and_nothing_is_written(
      PostgresDatabase db) throws SQLException {
    try (EventStore store = store(db, "cart").build()) {
      store.append("cart-1", 0, List.of(added(1), added(1)));

      // When a writer with a stale view (version 0) appends, or one that expects a version from the future
      assertThatThrownBy(() -> store.append("cart-1", 0, List.of(added(5))))
          .isInstanceOfSatisfying(ConcurrencyConflictException.class, e -> {
            assertThat(e.aggregateName()).isEqualTo("cart");
            assertThat(e.aggregateId()).isEqualTo("cart-1");
            assertThat(e.expectedVersion()).isZero();
            assertThat(e.actualVersion()).isEqualTo(2);
          })
          .hasMessage("aggregate cart 'cart-1': expected version 0 but it is at version 2 (another writer appended "
              + "first); nothing was appended");
      assertThatThrownBy(() -> store.append("cart-1", 7, List.of(added(5))))
          .isInstanceOfSatisfying(ConcurrencyConflictException.class, e -> assertThat(e.actualVersion()).isEqualTo(2));

      // Then the log is unchanged: no gap, no repeat
      assertThat(store.currentVersion("cart-1")).isEqualTo(2);
      assertThat(count(db, "select count(*) from nip_events")).isEqualTo(2);
    }
  }

  @Test
  void when_two_writers_race_with_the_same_expected_version_then_exactly_one_wins_each_round(PostgresDatabase db)
      throws Exception {
    // Given two writers in two threads, each with its own store and connection pool
    int rounds = 25;
    try (EventStore a = store(db, "session").poolSize(1).build(); EventStore b = store(db, "session").poolSize(1).build()) {
      a.createTablesIfMissing();
      ExecutorService threads = Executors.newFixedThreadPool(2);
      try {
        long version = 0;
        for (int round = 0; round < rounds; round++) {
          // When both append three events expecting the same version, released at the same moment
          CyclicBarrier start = new CyclicBarrier(2);
          long expected = version;
          Future<Long> fa = threads.submit(race(start, a, expected, "a" + round));
          Future<Long> fb = threads.submit(race(start, b, expected, "b" + round));
          List<Object> outcomes = new ArrayList<>();
          for (Future<Long> f : List.of(fa, fb)) {
            try {
              outcomes.add(f.get(30, TimeUnit.SECONDS));
            } catch (ExecutionException e) {
              outcomes.add(e.getCause());
            }
          }

          // Then exactly one wins (new version expected + 3), the other gets the conflict naming both versions
          assertThat(outcomes).as("round " + round).filteredOn(o -> o instanceof Long).containsExactly(expected + 3);
          assertThat(outcomes).as("round " + round).filteredOn(o -> o instanceof ConcurrencyConflictException)
              .singleElement().satisfies(o -> {
                ConcurrencyConflictException e = (ConcurrencyConflictException) o;
                assertThat(e.expectedVersion()).isEqualTo(expected);
                assertThat(e.actualVersion()).isEqualTo(expected + 3);
              });
          version = expected + 3;
        }
      } finally {
        threads.shutdownNow();
      }

      // and the log holds the winners' events only, versions 1..75 without gap or repeat, each
      // round's three events from one writer
      List<RecordedEvent> log = a.getEvents("user_0", 0);
      assertThat(log).extracting(RecordedEvent::version)
          .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, 3L * rounds).boxed().toList());
      for (int round = 0; round < rounds; round++) {
        assertThat(log.subList(3 * round, 3 * round + 3)).extracting(e -> e.payload().path("writer").asText())
            .as("round " + round).containsOnly(log.get(3 * round).payload().path("writer").asText());
      }
    }
  }

  private static Callable<Long> race(CyclicBarrier start, EventStore store, long expected, String writer) {
    return () -> {
      List<EventData> events = List.of(EventData.of("page_viewed", Map.of("writer", writer, "n", 1)),
          EventData.of("page_viewed", Map.of("writer", writer, "n", 2)),
          EventData.of("page_viewed", Map.of("writer", writer, "n", 3)));
      start.await(30, TimeUnit.SECONDS);
      return store.append("user_0", expected, events);
    };
  }

  @Test
  void when_another_transaction_holds_the_next_version_uncommitted_then_the_append_waits_and_conflicts(
      PostgresDatabase db) throws Exception {
    try (EventStore store = store(db, "session").build()) {
      store.append("user_1", 0, List.of(EventData.of("login", Map.of())));
      // Given another writer that inserted version 2 and has not committed yet
      try (Connection other = db.dataSource().getConnection()) {
        other.setAutoCommit(false);
        try (PreparedStatement s = other.prepareStatement("insert into nip_events "
            + "(aggregate_name, aggregate_id, version, event_type, payload) values ('session', 'user_1', 2, 'logout', '{}')")) {
          s.executeUpdate();
        }
        // When the store appends after version 1: it still sees version 1 and inserts version 2, which waits
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try {
          Future<Long> append = thread.submit(() -> store.append("user_1", 1, List.of(EventData.of("click", Map.of()))));
          long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
          while (count(db, "select count(*) from pg_stat_activity where wait_event_type = 'Lock'") == 0
              && System.nanoTime() < deadline) {
            Thread.sleep(10);
          }
          assertThat(append).isNotDone();
          other.commit();

          // Then the primary key decides: the append fails with the conflict, at the committed version 2
          assertThatThrownBy(() -> append.get(30, TimeUnit.SECONDS)).cause()
              .isInstanceOfSatisfying(ConcurrencyConflictException.class, e -> {
                assertThat(e.expectedVersion()).isEqualTo(1);
                assertThat(e.actualVersion()).isEqualTo(2);
              });
        } finally {
          thread.shutdownNow();
        }
      }
      assertThat(store.getEvents("user_1", 0)).extracting(RecordedEvent::eventType).containsExactly("login", "logout");
    }
  }

  @Test
  void a_replay_starts_from_the_newest_snapshot_at_or_below_the_version_asked(PostgresDatabase db) throws SQLException {
    try (EventStore store = store(db, "cart").build()) {
      // Given ten events of one item each, and snapshots at versions 4 and 8
      for (int i = 0; i < 10; i++) {
        store.append("cart-1", i, List.of(added(1)));
      }
      store.saveSnapshot("cart-1", 4, store.replayFromSnapshot("cart-1", 4, Cart.SERDE, new Cart(0, 0), Cart::apply)
          .state(), Cart.SERDE);
      store.saveSnapshot("cart-1", 8, new Cart(8, 8), Cart.SERDE);

      // When the latest state is replayed, it starts at snapshot 8 and applies events 9 and 10
      Replayed<Cart> latest = store.replayFromSnapshot("cart-1", Cart.SERDE, new Cart(0, 0), Cart::apply);
      assertThat(latest).isEqualTo(new Replayed<>(new Cart(10, 10), 10, 8, 2));
      assertThat(latest.state()).isEqualTo(store.replay("cart-1", new Cart(0, 0), Cart::apply).state());

      // and as of version 6 it starts at snapshot 4 and applies 5 and 6
      assertThat(store.replayFromSnapshot("cart-1", 6, Cart.SERDE, new Cart(0, 0), Cart::apply))
          .isEqualTo(new Replayed<>(new Cart(6, 6), 6, 4, 2));
      // as of version 3 no snapshot qualifies: every event from the first
      assertThat(store.replayFromSnapshot("cart-1", 3, Cart.SERDE, new Cart(0, 0), Cart::apply))
          .isEqualTo(new Replayed<>(new Cart(3, 3), 3, 0, 3));

      // Then a third snapshot prunes the oldest (two are kept), and a snapshot of a future version is refused
      store.saveSnapshot("cart-1", 10, latest.state(), Cart.SERDE);
      assertThat(count(db, "select count(*) from nip_event_snapshots")).isEqualTo(2);
      assertThat(count(db, "select min(version) from nip_event_snapshots")).isEqualTo(8);
      assertThatThrownBy(() -> store.saveSnapshot("cart-1", 11, new Cart(11, 11), Cart.SERDE))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("version 11 is beyond the aggregate's current version 10");
      assertThatThrownBy(() -> store.saveSnapshot("cart-1", 0, new Cart(0, 0), Cart.SERDE))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1, was 0");
    }
  }

  @Test
  void the_database_refuses_to_update_delete_or_truncate_the_log(PostgresDatabase db) throws SQLException {
    try (EventStore store = store(db, "cart").build()) {
      store.append("cart-1", 0, List.of(added(1)));
    }
    for (String sql : List.of("update nip_events set event_type = 'x'", "delete from nip_events",
        "truncate nip_events")) {
      assertThatThrownBy(() -> {
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
          s.execute(sql);
        }
      }).as(sql).isInstanceOf(SQLException.class).hasMessageContaining("the event log nip_events is append-only");
    }
    assertThat(count(db, "select count(*) from nip_events")).isEqualTo(1);
  }

  @Test
  void stores_of_different_aggregates_share_the_table_and_stay_apart(PostgresDatabase db) {
    try (EventStore carts = store(db, "cart").build(); EventStore sessions = store(db, "session").build()) {
      carts.append("x", 0, List.of(added(1)));
      sessions.append("x", 0, List.of(EventData.of("login", Map.of()), EventData.of("logout", Map.of())));
      assertThat(carts.currentVersion("x")).isEqualTo(1);
      assertThat(sessions.getEvents("x", 0)).extracting(RecordedEvent::eventType).containsExactly("login", "logout");
    }
  }

  @Test
  void schema_and_prefix_give_a_separate_table_set(PostgresDatabase db) throws SQLException {
    try (EventStore store = store(db, "cart").schema("es").tablePrefix("shop_").build()) {
      store.append("c", 0, List.of(added(1)));
      assertThat(store.eventsTable()).isEqualTo("es.shop_events");
      assertThat(store.snapshotsTable()).isEqualTo("es.shop_event_snapshots");
      assertThat(store.name()).doesNotContain("ignored").endsWith("/es.shop_events#cart");
    }
    assertThat(count(db, "select count(*) from es.shop_events")).isEqualTo(1);
  }

  @Test
  void bad_input_is_refused_with_a_message_naming_it(PostgresDatabase db) {
    try (EventStore store = store(db, "cart").build()) {
      List<EventData> one = List.of(added(1));
      assertThatThrownBy(() -> store.append(null, 0, one)).isInstanceOf(NullPointerException.class)
          .hasMessage("aggregateId");
      assertThatThrownBy(() -> store.append("", 0, one)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("aggregateId must have 1 to 512 characters, had 0");
      assertThatThrownBy(() -> store.append("c", -1, one)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("expectedVersion").hasMessageContaining("-1");
      assertThatThrownBy(() -> store.append("c", 0, List.of())).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("at least one event");
      assertThatThrownBy(() -> store.getEvents("c", -5)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("fromVersion must not be negative, was -5");
      assertThatThrownBy(() -> store.replay("c", -1, new Cart(0, 0), Cart::apply))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fromVersion");
      assertThatThrownBy(() -> store.replayFromSnapshot("c", 0, Cart.SERDE, new Cart(0, 0), Cart::apply))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("upToVersion");
      assertThatThrownBy(() -> EventData.of(" ", Map.of())).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("eventType");
      assertThatThrownBy(() -> EventData.of("x", null)).isInstanceOf(NullPointerException.class).hasMessage("payload");
      assertThatThrownBy(() -> store.append("c", 0, List.of(EventData.of("x", new Object()))))
          .isInstanceOf(SerializationException.class).hasMessageContaining("payload of a 'x' event");
      assertThat(store.currentVersion("c")).isZero();
    }
    assertThatThrownBy(() -> EventStore.builder(" ")).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("aggregate name");
    assertThatThrownBy(() -> EventStore.builder("a").jdbcUrl("jdbc:mysql://x/y?password=topsecret"))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("url").hasMessageNotContaining("topsecret");
    assertThatThrownBy(() -> EventStore.builder("a").build()).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("missing");
    assertThatThrownBy(() -> EventStore.builder("a").tablePrefix("Bad-")).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("table prefix");
    assertThatThrownBy(() -> EventStore.builder("a").retainedSnapshots(0)).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("retained snapshots");
  }

  @Test
  void an_unreachable_database_fails_with_a_message_naming_the_table_and_not_the_password() {
    try (EventStore store = EventStore.builder("cart").jdbcUrl("jdbc:postgresql://127.0.0.1:1/none")
        .user("nip").password("s3cr3t-pw").connectionTimeout(Duration.ofMillis(500)).build()) {
      assertThatThrownBy(() -> store.append("c", 0, List.of(added(1))))
          .isInstanceOf(EventStoreException.class)
          .hasMessageContaining("nip_events")
          .hasMessageContaining("aggregate cart 'c'")
          .hasMessageContaining("no connection")
          .hasMessageNotContaining("s3cr3t-pw");
    }
  }
}
