package io.nip.jdbc.transactional.internal;

/**
 * One row of the outbox as the relay reads it: its sequence number and the record.
 *
 * <p>Design: the headers stay in their stored encoding ({@link HeaderCodec}) until the relay turns
 * them into Kafka headers, so reading a batch copies nothing twice.
 *
 * @param seq the gap-free sequence number, from 1
 * @param topic the target topic
 * @param key the key bytes, or null
 * @param value the value bytes, or null
 * @param headers the encoded headers, or null when none
 */
public record OutboxRow(long seq, String topic, byte[] key, byte[] value, byte[] headers) {}
