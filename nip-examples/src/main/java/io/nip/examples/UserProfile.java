package io.nip.examples;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A user's profile as the compacted topic {@code user-profiles} holds it (the right side of the
 * tutorial's {@code user_profile_joiner}): the record key is the user id, the value this JSON, and
 * a tombstone (null value) deletes the user. Its event time is the Kafka record's timestamp (when
 * the profile changed).
 *
 * @param userId the user, required
 * @param attributes the profile (name, tier ...); never null, unmodifiable
 * @param deleted true only for the value {@link #deleted(String)} makes of a tombstone
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_DEFAULT)
public record UserProfile(
    @JsonProperty("user_id") String userId,
    @JsonProperty("attributes") Map<String, Object> attributes,
    @JsonProperty("deleted") boolean deleted) {

  /** Checks the user id and freezes the attributes. */
  public UserProfile {
    Objects.requireNonNull(userId, "user_id");
    attributes = attributes == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
  }

  /**
   * @param userId the user whose profile a tombstone deleted
   * @return the deletion marker
   */
  public static UserProfile deleted(String userId) {
    return new UserProfile(userId, Map.of(), true);
  }
}
