package io.nip.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nip.schema.SchemaHeaders;
import io.nip.schema.VersionedSerde;

/**
 * The tutorial's advice "use event versioning" and "don't forget about backward compatibility",
 * applied to its {@link UserEvent}: three versions of the event have been written, and a pipeline
 * reads all three as the current one.
 * <ul>
 *   <li>version 1: {@code {"event_id", "user", "action", "timestamp"}};
 *   <li>version 2: {@code user} renamed {@code user_id}, {@code action} renamed {@code event_type}, an
 *       optional top-level number {@code value} added;
 *   <li>version 3 (current, {@link UserEvent}): {@code value} moved into the {@code properties} object.
 * </ul>
 * A version newer than 3 is a dead letter naming the version (under {@code ErrorPolicy.deadLetter}).
 *
 * <pre>{@code
 * KafkaSource.builder("user-events", UserEventVersions.inHeader()).bootstrapServers(servers).build();
 * stream.map(UserEventVersions.inPayload()::deserialize, Op.named("upcast"));
 * }</pre>
 */
public final class UserEventVersions {
  /** The current version: {@link UserEvent} as it is. */
  public static final int CURRENT = 3;

  private UserEventVersions() {}

  // tag::upcasters[]
  /** @return a serde reading the version from the payload field {@code schema_version} */
  public static VersionedSerde<UserEvent> inPayload() {
    return upcasters(VersionedSerde.json(UserEvent.class, CURRENT)).build();
  }

  /**
   * @return a serde reading the version from the record header {@value SchemaHeaders#EVENT_VERSION};
   *     records without it are version 1 (written before versioning)
   */
  public static VersionedSerde<UserEvent> inHeader() {
    return upcasters(VersionedSerde.json(UserEvent.class, CURRENT).versionHeader(SchemaHeaders.EVENT_VERSION)
        .defaultVersion(1)).build();
  }

  private static VersionedSerde.Builder<UserEvent> upcasters(VersionedSerde.Builder<UserEvent> b) {
    return b.upcaster(1, UserEventVersions::v1ToV2).upcaster(2, UserEventVersions::v2ToV3);
  }

  /** Version 1 to 2: the fields get the names the tutorial uses. */
  static ObjectNode v1ToV2(ObjectNode v1) {
    rename(v1, "user", "user_id");
    rename(v1, "action", "event_type");
    return v1;
  }

  /** Version 2 to 3: {@code value} goes into {@code properties}. */
  static ObjectNode v2ToV3(ObjectNode v2) {
    JsonNode value = v2.remove("value");
    ObjectNode properties = v2.putObject("properties");
    if (value != null && !value.isNull()) {
      properties.set("value", value);
    }
    return v2;
  }

  // end::upcasters[]

  private static void rename(ObjectNode node, String from, String to) {
    JsonNode v = node.remove(from);
    if (v != null) {
      node.set(to, v);
    }
  }
}
