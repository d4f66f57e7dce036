package io.nip.pipeline.internal;

import io.nip.runtime.internal.Guard;
import io.nip.runtime.internal.Operator;

/** Creates the physical operator of a logical node, once per task. */
@FunctionalInterface
public interface OperatorFactory {
  /**
   * @param guard applies the node's error policy in that task
   * @return a new operator instance
   */
  Operator create(Guard guard);
}
