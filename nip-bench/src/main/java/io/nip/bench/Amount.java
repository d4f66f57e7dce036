package io.nip.bench;

/**
 * The benchmark's output record: what the map step builds from a {@link Click}.
 *
 * @param userId the user
 * @param cents the amount in cents
 */
public record Amount(String userId, long cents) {}
