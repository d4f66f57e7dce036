/**
 * NIP on relational databases, PostgreSQL first: {@link io.nip.jdbc.PostgresCheckpointStorage}
 * keeps a pipeline's checkpoints (task snapshots and source positions) in two tables;
 * {@link io.nip.jdbc.EventStore} is an append-only per-aggregate event log with optimistic versions,
 * replay and snapshots; {@link io.nip.jdbc.IdempotentWrites} upserts events keyed by their id.
 *
 * <pre>{@code
 * CheckpointStorage storage = PostgresCheckpointStorage.builder("billing")
 *     .jdbcUrl("jdbc:postgresql://db:5432/app").user("nip").password(secret).build();
 * }</pre>
 */
package io.nip.jdbc;
