package io.nip.monitoring.internal;

import io.nip.errors.ConfigurationException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Objects;

/**
 * Validation shared by the monitoring builders: each method returns the value when it is valid and
 * otherwise throws a {@link ConfigurationException} that names the setting and the value.
 */
public final class Settings {
  private Settings() {}

  /**
   * @param setting the setting's name
   * @param port a TCP port, 0 for any free one
   * @return the port
   * @throws ConfigurationException when outside 0..65535
   */
  public static int port(String setting, int port) {
    if (port < 0 || port > 65_535) {
      throw ConfigurationException.invalid(setting, port, "must be within 0..65535");
    }
    return port;
  }

  /**
   * @param setting the setting's name
   * @param host a host name or address
   * @return the host
   * @throws ConfigurationException when blank
   */
  public static String host(String setting, String host) {
    Objects.requireNonNull(host, setting);
    if (host.isBlank()) {
      throw ConfigurationException.invalid(setting, "'" + host + "'", "must not be blank");
    }
    return host;
  }

  /**
   * @param setting the setting's name
   * @param fraction a ratio limit
   * @return the fraction
   * @throws ConfigurationException when outside (0, 1]
   */
  public static double fraction(String setting, double fraction) {
    if (!(fraction > 0 && fraction <= 1)) {
      throw ConfigurationException.invalid(setting, fraction, "must be within (0, 1]");
    }
    return fraction;
  }

  /**
   * Validates a URL that may hold a secret (a Slack webhook, a token in the path or query): the
   * message names the setting but never shows the value.
   *
   * @param setting the setting's name
   * @param url the URL, or null when it was not given
   * @return the URL
   * @throws ConfigurationException when missing, blank, not absolute or not http/https
   */
  public static URI secretUrl(String setting, String url) {
    if (url == null || url.isBlank()) {
      throw new ConfigurationException(setting, "is required (an http or https URL)");
    }
    URI uri;
    try {
      uri = new URI(url.strip());
    } catch (URISyntaxException e) {
      throw new ConfigurationException(setting, "is not a valid URL (the value is not shown: it may hold a secret)");
    }
    String scheme = uri.getScheme();
    if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
        || uri.getHost() == null) {
      throw new ConfigurationException(setting,
          "must be an absolute http or https URL with a host (the value is not shown: it may hold a secret)");
    }
    return uri;
  }

  /**
   * @param setting the setting's name
   * @param value a secret (password, routing key), or null when it was not given
   * @return the value
   * @throws ConfigurationException when missing or blank; the message never shows the value
   */
  public static String secret(String setting, String value) {
    if (value == null || value.isBlank()) {
      throw new ConfigurationException(setting, "is required and must not be blank");
    }
    return value;
  }

  /**
   * @param setting the setting's name
   * @param duration a duration
   * @param min the shortest allowed
   * @return the duration
   * @throws ConfigurationException when shorter than min
   */
  public static Duration atLeast(String setting, Duration duration, Duration min) {
    Objects.requireNonNull(duration, setting);
    if (duration.compareTo(min) < 0) {
      throw ConfigurationException.invalid(setting, duration, "must be at least " + min);
    }
    return duration;
  }
}
