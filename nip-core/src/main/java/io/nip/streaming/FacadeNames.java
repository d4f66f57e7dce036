package io.nip.streaming;

import io.nip.errors.ConfigurationException;
import java.util.Objects;

/**
 * Name checks shared by the facades. A facade's name becomes the name of the pipeline it starts
 * and the prefix of its operators and sinks, so it follows the pipeline's naming rule; checking it
 * here gives an error naming the facade instead of an inner operator.
 */
final class FacadeNames {
  private FacadeNames() {}

  static String check(String setting, String name) {
    Objects.requireNonNull(name, setting);
    if (!name.matches("[A-Za-z0-9_.\\-]+")) {
      throw ConfigurationException.invalid(setting, "'" + name + "'", "must use letters, digits, '-', '_' or '.'");
    }
    return name;
  }
}
