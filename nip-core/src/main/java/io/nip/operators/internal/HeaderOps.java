package io.nip.operators.internal;

import io.nip.errors.NipException;
import io.nip.event.Headers;
import io.nip.pipeline.RecordContext;
import io.nip.pipeline.RecordProcessor;
import io.nip.runtime.internal.Guard;
import io.nip.runtime.internal.Operator;
import java.util.ArrayList;
import java.util.Objects;
import java.util.function.BiFunction;

/**
 * The operators that read or replace a record's headers ({@code Stream.mapWithHeaders},
 * {@code Stream.withHeaders}, {@code Stream.process}). Headers live in the task's record context, not in the value, so
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

  /**
   * {@code Stream.process}: a {@link RecordProcessor} emitting any number of results, each with the
   * record's headers or its own.
   *
   * <p>Results are held until the call returns, then pushed downstream in order: a call that throws
   * emits nothing (a retry by the error policy starts from no results), and downstream work never
   * runs inside the user's call (e.g. inside a tracing span it opened). The first result lives in
   * two fields and the others in a list reused across records, so the usual single result
   * allocates nothing here. Invariant: {@code open} is true only during the user's call; the
   * context refuses emits outside it.
   */
  public static final class ProcessOp extends Operator implements RecordContext<Object> {
    private final RecordProcessor<Object, Object> fn;
    private final Guard guard;
    private boolean open;
    private int count;
    private Object firstValue;
    private Headers firstHeaders;
    /** Results after the first: value, headers, value, headers, ... */
    private final ArrayList<Object> more = new ArrayList<>();

    /**
     * @param fn the user's processor
     * @param guard applies the error policy to its failures
     */
    public ProcessOp(RecordProcessor<Object, Object> fn, Guard guard) {
      this.fn = fn;
      this.guard = guard;
    }

    @Override
    public void process(Object value) {
      try {
        call(value);
      } catch (RuntimeException e) {
        Object r = guard.recover(value, e, v -> {
          call(v);
          return v;
        });
        if (r == Guard.DROPPED) {
          return;
        }
      }
      int n = count;
      if (n == 0) {
        return;
      }
      Object v = firstValue;
      Headers h = firstHeaders;
      firstValue = null;
      firstHeaders = null;
      count = 0;
      if (n == 1) {
        push(v, h);
        return;
      }
      Object[] rest = more.toArray();
      more.clear();
      push(v, h);
      for (int i = 0; i < rest.length; i += 2) {
        push(rest[i], (Headers) rest[i + 1]);
      }
    }

    private void call(Object value) {
      count = 0;
      firstValue = null;
      firstHeaders = null;
      more.clear();
      open = true;
      try {
        fn.process(value, this);
      } catch (RuntimeException e) {
        count = 0;
        firstValue = null;
        firstHeaders = null;
        more.clear();
        throw e;
      } finally {
        open = false;
      }
    }

    private void push(Object v, Headers h) {
      if (h == rt.headers()) {
        out.process(v);
      } else {
        rt.emitWithHeaders(out, h, v);
      }
    }

    @Override
    public Headers headers() {
      if (!open) {
        throw closed("headers");
      }
      return rt.headers();
    }

    private static IllegalStateException closed(String method) {
      return new IllegalStateException("RecordContext." + method
          + " after process returned: a record's context is valid during its call only");
    }

    @Override
    public void emit(Object value) {
      emit(value, rt.headers());
    }

    @Override
    public void emit(Object value, Headers headers) {
      if (!open) {
        throw closed("emit");
      }
      Objects.requireNonNull(value, "value (use no emit to drop a record)");
      Objects.requireNonNull(headers, "headers (use Headers.EMPTY for none)");
      if (count == 0) {
        firstValue = value;
        firstHeaders = headers;
      } else {
        more.add(value);
        more.add(headers);
      }
      count++;
    }
  }
}
