package io.nip.backpressure;

import io.nip.errors.ConfigurationException;
import java.util.Locale;
import java.util.Objects;

/** Reads the tutorial's lower-case spellings of this package's enums ("drop_oldest", "queue_size"). */
final class Names {
  private Names() {}

  static <E extends Enum<E>> E parse(Class<E> type, String setting, String name, String expected) {
    Objects.requireNonNull(name, setting);
    try {
      return Enum.valueOf(type, name.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw ConfigurationException.invalid(setting, "'" + name + "'", "must be one of " + expected);
    }
  }
}
