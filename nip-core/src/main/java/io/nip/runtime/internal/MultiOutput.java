package io.nip.runtime.internal;

/** An operator with several output ports (routes, window results plus late events). */
public interface MultiOutput {
  /** @return the number of output ports */
  int outputCount();

  /**
   * @param port this operator's output port
   * @param target the downstream operator
   * @param targetPort the downstream operator's input port
   */
  void connectOutput(int port, Operator target, int targetPort);
}
