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
  /** The JSON form: what state written by earlier versions holds (still read). */
  private static final Serde<JourneyStep> JSON = Serdes.json(JourneyStep.class);
  /** Marks the binary form; JSON starts with '{'. */
  private static final byte BINARY = 1;

  /**
   * How steps are stored in state and checkpoints: a marker byte, then the user and the event type
   * as modified UTF-8 (a session's state holds every step, so it is read and written as often as
   * the session changes: a compact form costs a fraction of JSON). Reads the JSON form as well.
   */
  public static final Serde<JourneyStep> SERDE = new Serde<>() {
    @Override
    public byte[] serialize(JourneyStep step) {
      byte[] ascii = writeAscii(step);
      if (ascii != null) {
        return ascii;
      }
      java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(
          5 + step.userId().length() + step.eventType().length());
      try (java.io.DataOutputStream out = new java.io.DataOutputStream(bytes)) {
        out.writeByte(BINARY);
        out.writeUTF(step.userId());
        out.writeUTF(step.eventType());
      } catch (java.io.IOException e) {
        throw new io.nip.errors.SerializationException("journey step: " + e.getMessage(), null, e);
      }
      return bytes.toByteArray();
    }

    @Override
    public JourneyStep deserialize(byte[] bytes) {
      if (bytes.length == 0 || bytes[0] != BINARY) {
        return JSON.deserialize(bytes);
      }
      JourneyStep ascii = readAscii(bytes);
      if (ascii != null) {
        return ascii;
      }
      try (java.io.DataInputStream in = new java.io.DataInputStream(new java.io.ByteArrayInputStream(bytes))) {
        in.readByte();
        JourneyStep step = new JourneyStep(in.readUTF(), in.readUTF());
        if (in.available() > 0) {
          throw new io.nip.errors.SerializationException("journey step: " + in.available() + " bytes left over",
              bytes, null);
        }
        return step;
      } catch (java.io.IOException e) {
        throw new io.nip.errors.SerializationException("journey step: " + e.getMessage(), bytes, e);
      }
    }
  };

  /**
   * The binary form written without a stream when both strings are ASCII without NUL (modified UTF-8
   * is then the characters themselves): the same bytes as the stream path, which writes every other
   * step.
   *
   * @return the bytes, or null when a string is not such ASCII
   */
  private static byte[] writeAscii(JourneyStep step) {
    String user = step.userId();
    String type = step.eventType();
    if (user.length() > 0xffff || type.length() > 0xffff) {
      return null; // writeUTF refuses it: the stream path says so
    }
    byte[] out = new byte[5 + user.length() + type.length()];
    out[0] = BINARY;
    int at = 1;
    for (String s : new String[] {user, type}) {
      out[at++] = (byte) (s.length() >>> 8);
      out[at++] = (byte) s.length();
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c == 0 || c > 0x7f) {
          return null;
        }
        out[at++] = (byte) c;
      }
    }
    return out;
  }

  /**
   * The binary form read without a stream when both strings are ASCII (modified UTF-8 is then the
   * bytes themselves): a session's steps are read at every change of the session.
   *
   * @return the step, or null when a string is not plain ASCII or the lengths do not add up (the
   *     stream path then reads it, or says what is wrong)
   */
  private static JourneyStep readAscii(byte[] bytes) {
    int at = 1;
    String[] parts = new String[2];
    for (int i = 0; i < 2; i++) {
      if (at + 2 > bytes.length) {
        return null;
      }
      int len = (bytes[at] & 0xff) << 8 | bytes[at + 1] & 0xff;
      at += 2;
      if (at + len > bytes.length) {
        return null;
      }
      for (int j = at; j < at + len; j++) {
        if (bytes[j] <= 0) { // NUL is two bytes in modified UTF-8; negative: not ASCII
          return null;
        }
      }
      parts[i] = new String(bytes, at, len, java.nio.charset.StandardCharsets.US_ASCII);
      at += len;
    }
    return at == bytes.length ? new JourneyStep(parts[0], parts[1]) : null;
  }

  /** Checks the fields. */
  public JourneyStep {
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(eventType, "eventType");
  }
}
