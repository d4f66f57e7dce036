package io.nip.bench.cep;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One login attempt of the CEP benchmark, readable by both engines: a JavaBean for Esper (getters)
 * and JSON for NIP's state (creator).
 *
 * <pre>{@code
 * Login l = new Login("u7", false, 1_768_669_200_000L);
 * }</pre>
 */
public final class Login {
  private final String user;
  private final boolean success;
  private final long ts;

  /**
   * @param user who tried
   * @param success whether the login succeeded
   * @param ts event time, epoch milliseconds
   */
  @JsonCreator
  public Login(@JsonProperty("user") String user, @JsonProperty("success") boolean success,
      @JsonProperty("ts") long ts) {
    this.user = user;
    this.success = success;
    this.ts = ts;
  }

  /** @return who tried */
  public String getUser() {
    return user;
  }

  /** @return whether the login succeeded */
  public boolean isSuccess() {
    return success;
  }

  /** @return event time, epoch milliseconds */
  public long getTs() {
    return ts;
  }
}
