package io.nip.bench.e2e;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The latency benchmark's input record.
 *
 * @param userId the user ({@code bot_*} for the 5 % that the filter drops)
 * @param eventType what happened
 * @param value a number the map scales
 * @param sentNanos {@code System.nanoTime()} of the producing JVM just before the send
 */
record LatencyEvent(
    @JsonProperty("user_id") String userId,
    @JsonProperty("event_type") String eventType,
    @JsonProperty("value") double value,
    @JsonProperty("sent_nanos") long sentNanos) {}
