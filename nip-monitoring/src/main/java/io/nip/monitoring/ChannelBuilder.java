package io.nip.monitoring;

import io.nip.errors.ConfigurationException;
import io.nip.monitoring.internal.Settings;
import java.time.Duration;

/**
 * The settings every built-in channel has: its name and its network timeout. The setting names in
 * errors carry the channel kind as prefix ({@code slack.timeout}, {@code email.name}, ...).
 *
 * @param <B> the concrete builder, returned by the setters
 */
abstract class ChannelBuilder<B extends ChannelBuilder<B>> {
  final String kind;
  String name;
  Duration timeout = Duration.ofSeconds(10);

  ChannelBuilder(String kind) {
    this.kind = kind;
    this.name = kind;
  }

  @SuppressWarnings("unchecked")
  private B self() {
    return (B) this;
  }

  /**
   * @param name the channel's name in its manager, metrics and logs; default the kind ({@code
   *     "slack"}, {@code "email"}, {@code "pagerduty"}, {@code "webhook"})
   * @return this builder
   * @throws ConfigurationException when blank
   */
  public B name(String name) {
    this.name = Settings.host(kind + ".name", name);
    return self();
  }

  /**
   * @param timeout for connecting and for each answer (or read and write, for SMTP); at least 1 ms;
   *     default 10 s
   * @return this builder
   * @throws ConfigurationException when shorter
   */
  public B timeout(Duration timeout) {
    this.timeout = Settings.atLeast(kind + ".timeout", timeout, Duration.ofMillis(1));
    return self();
  }
}
