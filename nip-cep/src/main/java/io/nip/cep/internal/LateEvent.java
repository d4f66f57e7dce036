package io.nip.cep.internal;

/**
 * An event that arrived behind the watermark, on its way from the pattern operator to the late
 * events output (the operator has one output; the public {@code PatternStream} splits it).
 *
 * @param event the late event
 */
public record LateEvent(Object event) {}
