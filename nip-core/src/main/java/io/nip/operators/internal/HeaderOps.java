package io.nip.operators.internal;

import io.nip.errors.NipException;
import io.nip.event.Headers;
import io.nip.runtime.internal.Guard;
import io.nip.runtime.internal.Operator;
import java.util.function.BiFunction;

/**
 * The operators that read or replace a record's headers ({@code Stream.mapWithHeaders},
 * {@code Stream.withHeaders}). Headers live in the task's record context, not in the value, so
 * reading them costs a field read; replacing them is scoped to the downstream call
 * ({@code TaskRuntime.emitWithHeaders}), which puts the caller's headers back afterwards. Returning
 * the same {@link Headers} instance passes the record on without touching the context.
 *
 * <p>Threading: one instance per task, called by the task's thread only.
 */
public final class HeaderOps {
  private HeaderOps() {}

  /** One result per record, computed from the value and its headers. */
  public static final class MapWithHeadersOp extends Operator {
    private final BiFunction<Object, Headers, Object> fn;
    private final Guard guard;

    /**
     * @param fn the user function
     * @param guard applies the error policy to its failures
     */
    public MapWithHeadersOp(BiFunction<Object, Headers, Object> fn, Guard guard) {
      this.fn = fn;
      this.guard = guard;
    }

    @Override
    public void process(Object value) {
      Object r;
      try {
        r = fn.apply(value, rt.headers());
        if (r == null) {
          throw new NipException("mapWithHeaders returned null; use filter or flatMap to drop records");
        }
      } catch (RuntimeException e) {
        r = guard.recover(value, e, v -> fn.apply(v, rt.headers()));
        if (r == Guard.DROPPED) {
          return;
        }
      }
      out.process(r);
    }
  }

  /** Passes the value on unchanged with the headers the function returns. */
  public static final class WithHeadersOp extends Operator {
    private final BiFunction<Object, Headers, Headers> fn;
    private final Guard guard;

    /**
     * @param fn the user function
     * @param guard applies the error policy to its failures
     */
    public WithHeadersOp(BiFunction<Object, Headers, Headers> fn, Guard guard) {
      this.fn = fn;
      this.guard = guard;
    }

    @Override
    public void process(Object value) {
      Headers current = rt.headers();
      Object h;
      try {
        h = fn.apply(value, current);
        if (h == null) {
          throw new NipException("withHeaders returned null; return Headers.EMPTY for no headers");
        }
      } catch (RuntimeException e) {
        h = guard.recover(value, e, v -> fn.apply(v, current));
        if (h == Guard.DROPPED) {
          return;
        }
      }
      if (h == current) {
        out.process(value);
      } else {
        rt.emitWithHeaders(out, (Headers) h, value);
      }
    }
  }
}
