package io.nip.examples.sessions;

import io.nip.serde.Serde;
import io.nip.serde.Serdes;
import java.util.Objects;

/**
 * What exercise 2 keeps of an event inside an open session: the user and the event type (the event
 * time travels with the record). Small on purpose: a session holds up to
 * {@link SessionsPipeline#DEFAULT_MAX_EVENTS_PER_SESSION} of them in the state backend.
 *
 * @param userId the user
 * @param eventType what happened
 */
public record JourneyStep(String userId, String eventType) {
  /** How steps are stored in state and checkpoints: JSON. */
  public static final Serde<JourneyStep> SERDE = Serdes.json(JourneyStep.class);

  /** Checks the fields. */
  public JourneyStep {
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(eventType, "eventType");
  }
}
