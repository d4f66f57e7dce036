/**
 * NIP on relational databases, PostgreSQL first: {@link io.nip.jdbc.PostgresCheckpointStorage}
 * keeps a pipeline's checkpoints (task snapshots and source positions) in two tables.
 *
 * <pre>{@code
 * CheckpointStorage storage = PostgresCheckpointStorage.builder("billing")
 *     .jdbcUrl("jdbc:postgresql://db:5432/app").user("nip").password(secret).build();
 * }</pre>
 */
package io.nip.jdbc;
