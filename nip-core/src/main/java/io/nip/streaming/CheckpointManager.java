package io.nip.streaming;

import io.nip.errors.ConfigurationException;
import io.nip.pipeline.PipelineConfig;
import io.nip.state.CheckpointStorage;
import io.nip.state.CheckpointStorageProvider;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The tutorial's checkpoint manager: where checkpoints go, how often one is taken and how long it
 * may take. It is a recipe for {@link PipelineConfig} settings, not a mechanism of its own: the
 * runtime's aligned checkpoints do the work (barriers from the sources, a snapshot of every task's
 * state and source positions, completed once every task acknowledged; see the nip-core README,
 * <i>Recovery</i>), and a pipeline restarted with the same storage resumes from the latest one.
 *
 * <pre>{@code
 * CheckpointManager checkpoints = CheckpointManager.create().storage("local:/var/lib/app/checkpoints")
 *     .checkpointInterval(1_000).checkpointTimeout(Duration.ofSeconds(30));
 * PipelineHandle h = processor.start(source, checkpoints.checkpointed(PipelineConfig.defaults()));
 * }</pre>
 *
 * <table>
 *   <caption>What each setting becomes</caption>
 *   <tr><th>tutorial</th><th>here</th><th>{@code PipelineConfig}</th></tr>
 *   <tr><td>{@code storage="redis"}</td><td>{@link #storage(String)}</td><td>{@code checkpointStorage}</td></tr>
 *   <tr><td>{@code checkpoint_interval=1000} (events)</td><td>{@link #checkpointInterval(long)}</td>
 *       <td>{@code checkpointEveryEvents}</td></tr>
 *   <tr><td>(none)</td><td>{@link #checkpointInterval(Duration)}</td><td>{@code commitInterval}</td></tr>
 *   <tr><td>{@code checkpoint_timeout=30} (seconds)</td><td>{@link #checkpointTimeout}</td>
 *       <td>{@code checkpointTimeout}</td></tr>
 *   <tr><td>{@code @checkpointed}</td><td>{@link #checkpointed} / {@link #applyTo}</td><td>all of the above</td></tr>
 * </table>
 *
 * <p>Settings left unset keep the configuration's values (no storage, a checkpoint every five
 * seconds, no record count, a ten-minute timeout). Not thread-safe while being configured; the
 * storage object it resolved is shared by every configuration it is applied to, and a storage holds
 * the checkpoints of one pipeline: apply a manager with a storage to one pipeline.
 */
public final class CheckpointManager {
  /** The storage name that means "Kafka sources", see {@link #storage(String)}. */
  public static final String KAFKA = "kafka";
  private CheckpointStorage storage;
  private String storageText = "none";
  private long everyEvents;
  private Duration interval;
  private Duration timeout;

  private CheckpointManager() {}

  /**
   * Starts a manager with nothing set.
   *
   * <pre>{@code
   * CheckpointManager m = CheckpointManager.create().storage("postgres").checkpointInterval(1_000);
   * }</pre>
   *
   * @return a manager that changes nothing until configured
   */
  public static CheckpointManager create() {
    return new CheckpointManager();
  }

  /**
   * Chooses the checkpoint storage by name, as the tutorial writes it:
   * <ul>
   *   <li>{@code "local:<directory>"}: files under the directory (built in);
   *   <li>{@code "postgres"}, {@code "redis"}: from nip-jdbc and nip-state-redis, found through
   *       {@link CheckpointStorageProvider} (an optional {@code :location} follows the name);
   *   <li>{@code "kafka"}: Kafka sources need no storage to resume, since every completed
   *       checkpoint commits their offsets to the consumer group. The nip-kafka module fills this
   *       name in (checkpoints through changelog topics, registered as the {@code kafka} provider);
   *       while no {@code kafka} provider is on the class path it means "no storage": positions
   *       are committed, keyed state starts empty after a restart;
   *   <li>{@code "cassandra"}: refused, not supported yet.
   * </ul>
   *
   * @param storage the storage's name and optional location
   * @return this
   * @throws ConfigurationException when the storage is unknown or not on the class path (the message
   *     names the module to add), or is {@code cassandra}
   */
  public CheckpointManager storage(String storage) {
    return storage(storage, Map.of());
  }

  /**
   * Chooses the checkpoint storage by name, with settings for it.
   *
   * @param storage the storage's name and optional location, see {@link #storage(String)}
   * @param settings the provider's settings, e.g. {@code Map.of("jdbc.url", "jdbc:postgresql://db/app")}
   * @return this
   * @throws ConfigurationException when the storage is unknown, not on the class path, or a setting is
   *     invalid
   */
  public CheckpointManager storage(String storage, Map<String, String> settings) {
    Objects.requireNonNull(storage, "storage");
    Objects.requireNonNull(settings, "settings");
    if (KAFKA.equals(storage) && !CheckpointStorageProvider.isAvailable(KAFKA)) {
      this.storage = null;
      this.storageText = "kafka (offsets committed to Kafka, no storage)";
      return this;
    }
    this.storage = CheckpointStorageProvider.create(storage, settings);
    this.storageText = this.storage.name();
    return this;
  }

  /**
   * @param storage a storage built in code, e.g. {@code CheckpointStorage.localDirectory(dir)}
   * @return this
   */
  public CheckpointManager storage(CheckpointStorage storage) {
    this.storage = Objects.requireNonNull(storage, "storage");
    this.storageText = storage.name();
    return this;
  }

  /**
   * Takes a checkpoint once {@code events} records entered the pipeline's sources since the last
   * one (the tutorial's {@code checkpoint_interval=1000}), besides the time interval.
   *
   * @param events positive
   * @return this
   * @throws ConfigurationException when not positive
   */
  public CheckpointManager checkpointInterval(long events) {
    if (events <= 0) {
      throw ConfigurationException.invalid("CheckpointManager checkpointInterval", events,
          "must be a positive number of events");
    }
    this.everyEvents = events;
    return this;
  }

  /**
   * Takes a checkpoint every {@code interval} of the pipeline clock (also when a record count is
   * set: whichever comes first).
   *
   * @param interval positive
   * @return this
   * @throws ConfigurationException when not positive
   */
  public CheckpointManager checkpointInterval(Duration interval) {
    this.interval = positive("CheckpointManager checkpointInterval", interval);
    return this;
  }

  /**
   * Aborts a checkpoint that not every task acknowledged within {@code timeout} (the tutorial's
   * {@code checkpoint_timeout=30}, in seconds there); see {@code PipelineConfig.Builder#checkpointTimeout}.
   *
   * @param timeout positive
   * @return this
   * @throws ConfigurationException when not positive
   */
  public CheckpointManager checkpointTimeout(Duration timeout) {
    this.timeout = positive("CheckpointManager checkpointTimeout", timeout);
    return this;
  }

  /** @return the storage chosen, or empty (none chosen, or {@code "kafka"} without its provider) */
  public Optional<CheckpointStorage> checkpointStorage() {
    return Optional.ofNullable(storage);
  }

  /**
   * Writes the settings made here into a configuration builder; settings left unset are not
   * touched (and a storage is never removed from the builder).
   *
   * @param builder the pipeline's configuration builder
   * @return the same builder
   */
  public PipelineConfig.Builder applyTo(PipelineConfig.Builder builder) {
    Objects.requireNonNull(builder, "builder");
    if (storage != null) {
      builder.checkpointStorage(storage);
    }
    if (everyEvents > 0) {
      builder.checkpointEveryEvents(everyEvents);
    }
    if (interval != null) {
      builder.commitInterval(interval);
    }
    if (timeout != null) {
      builder.checkpointTimeout(timeout);
    }
    return builder;
  }

  /**
   * The tutorial's {@code @checkpointed}: a pipeline run with the returned configuration takes
   * checkpoints as configured here and, with a storage, restores from the latest one at start.
   *
   * <pre>{@code
   * Pipeline p = Pipeline.named("orders", manager.checkpointed(PipelineConfig.defaults()));
   * }</pre>
   *
   * @param config the pipeline's other settings
   * @return a copy of {@code config} with this manager's settings
   */
  public PipelineConfig checkpointed(PipelineConfig config) {
    Objects.requireNonNull(config, "config");
    return applyTo(config.toBuilder()).build();
  }

  private static Duration positive(String setting, Duration d) {
    Objects.requireNonNull(d, setting);
    if (d.isZero() || d.isNegative()) {
      throw ConfigurationException.invalid(setting, d, "must be positive");
    }
    return d;
  }

  @Override
  public String toString() {
    return "CheckpointManager(storage " + storageText
        + (everyEvents > 0 ? ", every " + everyEvents + " events" : "")
        + (interval != null ? ", every " + interval : "")
        + (timeout != null ? ", timeout " + timeout : "") + ")";
  }
}
