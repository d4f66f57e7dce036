package io.nip.runtime.internal;

/** Sends every record and signal to several downstream operators, in wiring order. */
public final class FanOut extends Operator {
  private Operator[] targets = new Operator[0];
  private int[] ports = new int[0];

  public void add(Operator target, int port) {
    int n = targets.length;
    targets = java.util.Arrays.copyOf(targets, n + 1);
    ports = java.util.Arrays.copyOf(ports, n + 1);
    targets[n] = target;
    ports[n] = port;
  }

  @Override
  public void process(Object value) {
    for (Operator t : targets) {
      t.process(value);
    }
  }

  @Override
  public void watermark(long watermark, int port) {
    for (int i = 0; i < targets.length; i++) {
      targets[i].watermark(watermark, ports[i]);
    }
  }

  @Override
  public void barrier(long checkpointId, int port) {
    for (int i = 0; i < targets.length; i++) {
      targets[i].barrier(checkpointId, ports[i]);
    }
  }

  @Override
  public void finish(int port) {
    for (int i = 0; i < targets.length; i++) {
      targets[i].finish(ports[i]);
    }
  }
}
