package io.nip.monitoring.internal;

import io.nip.errors.ConfigurationException;
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
}
