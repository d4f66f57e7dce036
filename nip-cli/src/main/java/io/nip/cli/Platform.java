package io.nip.cli;

import java.util.Locale;

/**
 * {@code --platform} of {@code nip demo analytics}: where exercise 1's input, results and dead letters
 * live. Kafka is the default (embedded broker or {@code --bootstrap-servers}); Kinesis and Pub/Sub
 * run on a local server the command starts ({@link DemoPlatform}).
 */
enum Platform {
  /** Apache Kafka: the embedded KRaft broker, or an external cluster. */
  KAFKA("kafka", "Kafka"),
  /** AWS Kinesis Data Streams: kinesis-local (kinesis-mock) from the repository's {@code .services/}. */
  KINESIS("kinesis", "Kinesis"),
  /** Google Cloud Pub/Sub: the official emulator (gcloud component {@code pubsub-emulator}). */
  PUBSUB("pubsub", "Pub/Sub");

  /** The option's name. */
  static final String OPTION = "--platform";
  /** What the option takes, for the help. */
  static final String VALUES = "kafka|kinesis|pubsub";

  private final String spelled;
  private final String title;

  Platform(String spelled, String title) {
    this.spelled = spelled;
    this.title = title;
  }

  /** @return the name as {@code --platform} spells it */
  String spelled() {
    return spelled;
  }

  /** @return the platform's name for messages, e.g. {@code Pub/Sub} */
  String title() {
    return title;
  }

  /**
   * @param text the option's value, or null for the default
   * @return the platform
   * @throws NipCommand.UsageException naming the option and the values it takes
   */
  static Platform parse(String text) {
    if (text == null) {
      return KAFKA;
    }
    for (Platform p : values()) {
      if (p.spelled.equals(text.trim().toLowerCase(Locale.ROOT))) {
        return p;
      }
    }
    throw new NipCommand.UsageException(OPTION + " " + text + ": not a platform; use kafka, kinesis or pubsub");
  }
}
