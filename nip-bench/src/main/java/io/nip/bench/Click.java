package io.nip.bench;

/**
 * The benchmark's input record: small, immutable, a few fields like a parsed click event.
 *
 * @param userId the user, {@code user_N} or {@code bot_N}
 * @param eventType {@code view}, {@code click} or {@code purchase}
 * @param value an amount
 */
public record Click(String userId, String eventType, double value) {}
