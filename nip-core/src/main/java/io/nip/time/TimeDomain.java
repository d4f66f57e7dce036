package io.nip.time;

/** Which clock a timer or window follows. */
public enum TimeDomain {
  /** The timestamps carried by the events, advanced by watermarks. */
  EVENT_TIME,
  /** The wall clock of the processing machine (the pipeline's {@link NipClock}). */
  PROCESSING_TIME
}
