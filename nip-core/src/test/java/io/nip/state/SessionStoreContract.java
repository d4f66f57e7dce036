package io.nip.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nip.errors.StateException;
import io.nip.serde.Serdes;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * What every {@link SessionStore} does, whatever the backend: exact reads and writes, overlap
 * queries in start order that never see another key (not even one the key is a prefix of), TTL on
 * the injected clock, and snapshots that restore anywhere.
 */
public abstract class SessionStoreContract extends StoreContractSupport {

  /** @return a session store named "sessions", String to Long */
  protected SessionStore<String, Long> store(StateBackend backend, Duration ttl) {
    StoreSpec<String, Long> spec = StoreSpec.of("sessions", Serdes.string(), Serdes.json(Long.class));
    return track(backend.createSessionStore(withTtl(spec, ttl), nextScope(), clock));
  }

  /** @return a session store of this backend */
  protected SessionStore<String, Long> store(Duration ttl) {
    return store(backend(), ttl);
  }

  private static List<String> fmt(StoreIterator<SessionStore.Session<String, Long>> it) {
    return drain(it).stream()
        .map(s -> s.key() + "[" + s.start().toEpochMilli() + "," + s.end().toEpochMilli() + "]=" + s.value())
        .collect(Collectors.toList());
  }

  private SessionStore<String, Long> threeSessions() {
    SessionStore<String, Long> s = store(null);
    s.put("a", at(40), at(50), 3L);
    s.put("a", at(0), at(10), 1L);
    s.put("a", at(20), at(30), 2L);
    s.put("ab", at(20), at(30), 9L);
    s.put("", at(20), at(30), 8L);
    return s;
  }

  @Test
  void when_sessions_are_put_and_removed_then_exact_reads_reflect_them() {
    SessionStore<String, Long> s = threeSessions();
    assertThat(s.fetchSession("a", at(20), at(30))).isEqualTo(2L);
    assertThat(s.fetchSession("a", at(20), at(31))).isNull();
    s.put("a", at(20), at(30), 5L);
    assertThat(s.fetchSession("a", at(20), at(30))).isEqualTo(5L);
    s.remove("a", at(20), at(30));
    s.remove("a", at(21), at(30));
    assertThat(s.fetchSession("a", at(20), at(30))).isNull();
    assertThat(s.fetchSession("ab", at(20), at(30))).isEqualTo(9L);
    assertThat(s.name()).isEqualTo("sessions");
  }

  @Test
  void when_sessions_are_found_then_those_overlapping_both_bounds_inclusive_come_in_start_order() {
    SessionStore<String, Long> s = threeSessions();
    assertThat(fmt(s.findSessions("a", at(15), at(25)))).containsExactly("a[20,30]=2");
    assertThat(fmt(s.findSessions("a", at(10), at(20)))).containsExactly("a[0,10]=1", "a[20,30]=2");
    assertThat(fmt(s.findSessions("a", at(11), at(19)))).isEmpty();
    assertThat(fmt(s.findSessions("a", Instant.MIN, Instant.MAX)))
        .containsExactly("a[0,10]=1", "a[20,30]=2", "a[40,50]=3");
    assertThat(fmt(s.findSessions("", Instant.MIN, Instant.MAX))).containsExactly("[20,30]=8");
    assertThat(fmt(s.findSessions("b", Instant.MIN, Instant.MAX))).isEmpty();
  }

  @Test
  void when_sessions_share_a_start_then_they_come_in_end_order() {
    SessionStore<String, Long> s = store(null);
    s.put("k", at(-10), at(30), 2L);
    s.put("k", at(-10), at(-10), 1L);
    assertThat(fmt(s.findSessions("k", at(-10), at(-10)))).containsExactly("k[-10,-10]=1", "k[-10,30]=2");
  }

  @Test
  void when_a_session_ends_before_it_starts_then_put_refuses_it() {
    SessionStore<String, Long> s = store(null);
    assertThatThrownBy(() -> s.put("k", at(10), at(9), 1L))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("before it starts");
  }

  @Test
  void when_the_ttl_passes_then_sessions_are_invisible_and_purged() {
    SessionStore<String, Long> s = store(Duration.ofSeconds(10));
    s.put("a", at(0), at(10), 1L);
    clock.advance(Duration.ofSeconds(5));
    s.put("a", at(20), at(30), 2L);
    clock.advance(Duration.ofSeconds(5));
    assertThat(s.fetchSession("a", at(0), at(10))).isNull();
    assertThat(fmt(s.findSessions("a", Instant.MIN, Instant.MAX))).containsExactly("a[20,30]=2");
    assertThat(s.purgeExpired()).isEqualTo(1);
    assertThat(s.purgeExpired()).isZero();
  }

  @Test
  void when_a_snapshot_is_restored_then_the_store_holds_the_same_sessions() {
    SessionStore<String, Long> s = threeSessions();
    SessionStore<String, Long> restored = store(null);
    restored.put("stale", at(0), at(1), 0L);
    restored.restore(s.snapshot());
    assertThat(fmt(restored.findSessions("a", Instant.MIN, Instant.MAX)))
        .containsExactly("a[0,10]=1", "a[20,30]=2", "a[40,50]=3");
    assertThat(restored.fetchSession("stale", at(0), at(1))).isNull();
    assertThat(restored.fetchSession("ab", at(20), at(30))).isEqualTo(9L);
  }

  @Test
  void when_snapshots_move_between_this_backend_and_memory_then_both_hold_the_same_sessions() {
    SessionStore<String, Long> memory = store(StateBackend.inMemory(), null);
    memory.put("x", at(-5), at(5), 1L);
    SessionStore<String, Long> here = store(null);
    here.restore(memory.snapshot());
    here.put("x", at(6), at(8), 2L);
    SessionStore<String, Long> back = store(StateBackend.inMemory(), null);
    back.restore(here.snapshot());
    assertThat(fmt(back.findSessions("x", Instant.MIN, Instant.MAX))).containsExactly("x[-5,5]=1", "x[6,8]=2");
  }

  @Test
  void when_restoring_a_snapshot_of_another_store_then_it_fails_naming_both() {
    SessionStore<String, Long> s = store(null);
    assertThatThrownBy(() -> s.restore(new StoreSnapshot("other", List.of())))
        .isInstanceOf(StateException.class).hasMessageContaining("sessions").hasMessageContaining("other");
  }
}
