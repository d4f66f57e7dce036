package io.nip.errors;

/**
 * A setting was missing or had a bad value. Raised when a pipeline or component is built, never
 * later, and always names the setting and the rejected value.
 */
public class ConfigurationException extends NipException {
  private static final long serialVersionUID = 1L;
  private final String setting;

  /**
   * @param setting the name of the setting, as a user writes it
   * @param message what is wrong with it
   */
  public ConfigurationException(String setting, String message) {
    super(setting + ": " + message);
    this.setting = setting;
  }

  /** @return the name of the offending setting */
  public String setting() {
    return setting;
  }

  /**
   * Builds the common "bad value" error.
   *
   * @param setting the setting name
   * @param value the rejected value
   * @param expectation what a valid value looks like, e.g. "must be positive"
   * @return the exception, to throw
   */
  public static ConfigurationException invalid(String setting, Object value, String expectation) {
    return new ConfigurationException(setting, expectation + ", but was " + value);
  }
}
