package io.nip.jdbc;

/**
 * An {@link EventStore#append append} expected an aggregate version that is not the current one:
 * another writer appended first (or the writer's state is stale). Nothing of the refused append was
 * written. The usual answer: replay the aggregate, decide again on the new state, and append with
 * the new version.
 *
 * <pre>{@code
 * try {
 *   store.append(id, seen.version(), events);
 * } catch (ConcurrencyConflictException e) {
 *   Replayed<Cart> fresh = store.replay(id, Cart.empty(), Cart::apply);  // then decide again
 * }
 * }</pre>
 */
public final class ConcurrencyConflictException extends EventStoreException {
  private static final long serialVersionUID = 1L;
  private final String aggregateName;
  private final String aggregateId;
  private final long expectedVersion;
  private final long actualVersion;

  /**
   * @param aggregateName the store's aggregate name
   * @param aggregateId the aggregate
   * @param expectedVersion the version the append expected
   * @param actualVersion the aggregate's version when the append was refused
   */
  public ConcurrencyConflictException(String aggregateName, String aggregateId, long expectedVersion,
      long actualVersion) {
    super("aggregate " + aggregateName + " '" + aggregateId + "': expected version " + expectedVersion
        + " but it is at version " + actualVersion + " (another writer appended first); nothing was appended", null);
    this.aggregateName = aggregateName;
    this.aggregateId = aggregateId;
    this.expectedVersion = expectedVersion;
    this.actualVersion = actualVersion;
  }

  /** @return the store's aggregate name */
  public String aggregateName() {
    return aggregateName;
  }

  /** @return the aggregate */
  public String aggregateId() {
    return aggregateId;
  }

  /** @return the version the append expected */
  public long expectedVersion() {
    return expectedVersion;
  }

  /** @return the aggregate's version when the append was refused */
  public long actualVersion() {
    return actualVersion;
  }
}
