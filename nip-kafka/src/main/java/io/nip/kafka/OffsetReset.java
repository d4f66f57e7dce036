package io.nip.kafka;

/** Where a consumer group without committed offsets starts reading. */
public enum OffsetReset {
  /** From the oldest retained record. */
  EARLIEST,
  /** From records produced after the pipeline starts. */
  LATEST;

  String configValue() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
