package io.nip.state;

/**
 * Implemented by a {@link io.nip.source.Source} that offers a {@link StateChangelog} for the state of
 * pipelines that read it: sources with their own position store (Kafka: changelog topics and the
 * group's offsets in one transaction). A pipeline that reads exactly one such source and has no
 * {@link CheckpointStorage} keeps its state there.
 *
 * <pre>{@code
 * final class MySource implements Source<Event>, ChangelogProvider {
 *   public StateChangelog stateChangelog(String pipeline) { return new MyChangelog(pipeline); }
 * }
 * }</pre>
 */
public interface ChangelogProvider {

  /**
   * Called when a pipeline starts, after the source described its partitions.
   *
   * @param pipeline the pipeline name (application id): changelog names derive from it
   * @return a changelog, or null when this source offers none for this pipeline
   * @throws io.nip.errors.ConfigurationException when the source's settings do not allow one
   */
  StateChangelog stateChangelog(String pipeline);
}
