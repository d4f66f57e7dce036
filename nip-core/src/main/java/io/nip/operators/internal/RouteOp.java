package io.nip.operators.internal;

import io.nip.runtime.internal.Guard;
import io.nip.runtime.internal.Operator;
import io.nip.runtime.internal.MultiOutput;
import java.util.function.Predicate;

/**
 * Sends each record to the first (or every) route whose condition holds, else to the default
 * route (the last output). Routes without a downstream consumer are simply not wired (null).
 */
public final class RouteOp extends Operator implements MultiOutput {
  private final Predicate<Object>[] conditions;
  private final boolean firstMatch;
  private final Guard guard;
  final Operator[] routes;
  final int[] routePorts;

  public RouteOp(Predicate<Object>[] conditions, boolean firstMatch, Guard guard) {
    this.conditions = conditions;
    this.firstMatch = firstMatch;
    this.guard = guard;
    this.routes = new Operator[conditions.length + 1];
    this.routePorts = new int[conditions.length + 1];
  }

  @Override
  public int outputCount() {
    return routes.length;
  }

  @Override
  public void connectOutput(int port, Operator target, int targetPort) {
    routes[port] = target;
    routePorts[port] = targetPort;
  }

  @Override
  public void process(Object value) {
    boolean matched = false;
    for (int i = 0; i < conditions.length; i++) {
      boolean hit;
      try {
        hit = conditions[i].test(value);
      } catch (RuntimeException e) {
        Predicate<Object> c = conditions[i];
        Object r = guard.recover(value, e, c::test);
        if (r == Guard.DROPPED) {
          return;
        }
        hit = (Boolean) r;
      }
      if (hit) {
        matched = true;
        if (routes[i] != null) {
          routes[i].process(value);
        }
        if (firstMatch) {
          return;
        }
      }
    }
    if (!matched && routes[conditions.length] != null) {
      routes[conditions.length].process(value);
    }
  }

  @Override
  public void watermark(long watermark, int port) {
    for (int i = 0; i < routes.length; i++) {
      if (routes[i] != null) {
        routes[i].watermark(watermark, routePorts[i]);
      }
    }
  }

  @Override
  public void barrier(long checkpointId, int port) {
    for (int i = 0; i < routes.length; i++) {
      if (routes[i] != null) {
        routes[i].barrier(checkpointId, routePorts[i]);
      }
    }
  }

  @Override
  public void finish(int port) {
    for (int i = 0; i < routes.length; i++) {
      if (routes[i] != null) {
        routes[i].finish(routePorts[i]);
      }
    }
  }
}
