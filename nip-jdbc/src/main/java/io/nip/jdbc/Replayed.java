package io.nip.jdbc;

/**
 * What a replay of an {@link EventStore} aggregate gives: the state after the last event applied,
 * the version it reflects (pass it as the expected version of the next append), and the snapshot it
 * started from.
 *
 * <pre>{@code
 * Replayed<Cart> cart = store.replay("cart-7", Cart.empty(), Cart::apply);
 * store.append("cart-7", cart.version(), List.of(EventData.of("item_added", item)));
 * }</pre>
 *
 * @param state the rebuilt state
 * @param version the version of the last event applied, or of the snapshot when no event followed
 *     it; when there was nothing to apply, the version before the first one asked for, at most the
 *     aggregate's current version (0 for an aggregate without events)
 * @param snapshotVersion the version of the snapshot the replay started from, 0 when none
 * @param eventsApplied how many events were applied on top of the initial state or snapshot
 * @param <S> the state type
 */
public record Replayed<S>(S state, long version, long snapshotVersion, long eventsApplied) {}
