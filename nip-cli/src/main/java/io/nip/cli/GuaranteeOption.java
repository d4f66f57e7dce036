package io.nip.cli;

import io.nip.pipeline.Guarantee;
import java.util.Locale;

/**
 * The {@code --guarantee} option of the commands that run a job: {@code at-least-once} (the
 * default) or {@code exactly-once}. A class of its own so that every command spells the values,
 * the default and the message for a bad value the same way. Stateless.
 */
final class GuaranteeOption {
  /** The option's name. */
  static final String NAME = "--guarantee";
  /** The values, as the help text shows them. */
  static final String VALUES = "at-least-once|exactly-once";

  private GuaranteeOption() {}

  /**
   * @param text the option's value, or null when it was not given
   * @return the guarantee; {@link Guarantee#AT_LEAST_ONCE} when not given
   * @throws NipCommand.UsageException naming the option and the accepted values for anything else
   */
  static Guarantee parse(String text) {
    if (text == null) {
      return Guarantee.AT_LEAST_ONCE;
    }
    return switch (text.trim().toLowerCase(Locale.ROOT).replace('_', '-')) {
      case "at-least-once" -> Guarantee.AT_LEAST_ONCE;
      case "exactly-once" -> Guarantee.EXACTLY_ONCE;
      default -> throw new NipCommand.UsageException(NAME + " " + text + ": unknown guarantee; use at-least-once "
          + "or exactly-once");
    };
  }

  /**
   * @param g a guarantee
   * @return its name as the option spells it
   */
  static String spelled(Guarantee g) {
    return g.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
