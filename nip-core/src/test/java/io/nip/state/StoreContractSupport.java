package io.nip.state;

import io.nip.time.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/**
 * What the store contracts share: a manual clock, the backend under test and helpers. A backend's
 * module runs the contracts by subclassing them (they ship in nip-core's test jar) and naming the
 * backend; every store is created for an operator of its own ({@link #nextScope()}).
 */
public abstract class StoreContractSupport {
  private int operators;
  /** The clock TTLs are measured on; tests move it. */
  protected final ManualClock clock = new ManualClock(Instant.parse("2026-01-17T17:00:00Z"));
  private final List<StateStore> opened = new ArrayList<>();

  /**
   * @return a scope of its own for each store a test creates (a new operator of task "task-0"), so
   *     that a store and the one a snapshot is restored into are independent on every backend
   */
  protected StateBackend.StoreScope nextScope() {
    return new StateBackend.StoreScope("p", "task-0", "op" + operators++);
  }

  /** @return the backend under test; called once per store */
  protected abstract StateBackend backend();

  /** Closes every store a test opened; subclasses close their backend after calling it. */
  @AfterEach
  protected void closeStores() {
    for (StateStore s : opened) {
      s.close();
    }
    opened.clear();
  }

  /** @return the store, closed after the test */
  protected <S extends StateStore> S track(S store) {
    opened.add(store);
    return store;
  }

  /** @return the spec with the TTL, or without one when null */
  protected static <K, V> StoreSpec<K, V> withTtl(StoreSpec<K, V> spec, Duration ttl) {
    return ttl == null ? spec : spec.withTtl(ttl);
  }

  /** @return every element, the iterator closed */
  protected static <T> List<T> drain(StoreIterator<T> it) {
    try (it) {
      List<T> out = new ArrayList<>();
      it.forEachRemaining(out::add);
      return out;
    }
  }

  /** @return the bytes as lower-case hex */
  protected static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  /** @return epoch plus {@code millis} */
  protected static Instant at(long millis) {
    return Instant.ofEpochMilli(millis);
  }
}
