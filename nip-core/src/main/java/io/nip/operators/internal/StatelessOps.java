package io.nip.operators.internal;

import io.nip.runtime.internal.Guard;
import io.nip.runtime.internal.Operator;
import io.nip.errors.NipException;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The stateless one-in operators: filter, map, flatMap, peek. Each calls its user function in a
 * try block and hands failures to its {@link Guard}, which applies the error policy.
 */
public final class StatelessOps {
  private StatelessOps() {}

  /**
   * Sets the record's key for the keyed operators that follow in the same task: the keying of a
   * stream whose source is already partitioned by the key (no exchange).
   */
  public static final class LocalKeyOp extends Operator {
    private final Function<Object, Object> keyFn;
    private final Guard guard;

    public LocalKeyOp(Function<Object, Object> keyFn, Guard guard) {
      this.keyFn = keyFn;
      this.guard = guard;
    }

    @Override
    public void process(Object value) {
      Object key = guard.keyOf(keyFn, value, "keyByPartitioned");
      if (key != Guard.DROPPED) {
        // an upstream keyed operator in this chain (e.g. a process() emitting) resumes under its own key
        rt.emitAs(out, key, rt.timestamp(), value);
      }
    }

  }

  /** Keeps the records the predicate accepts. */
  public static final class FilterOp extends Operator {
    private final Predicate<Object> predicate;
    private final Guard guard;

    public FilterOp(Predicate<Object> predicate, Guard guard) {
      this.predicate = predicate;
      this.guard = guard;
    }

    @Override
    public void process(Object value) {
      boolean keep;
      try {
        keep = predicate.test(value);
      } catch (RuntimeException e) {
        Object r = guard.recover(value, e, predicate::test);
        if (r == Guard.DROPPED) {
          return;
        }
        keep = (Boolean) r;
      }
      if (keep) {
        out.process(value);
      }
    }
  }

  /** One result per record. */
  public static final class MapOp extends Operator {
    private final Function<Object, Object> fn;
    private final Guard guard;

    public MapOp(Function<Object, Object> fn, Guard guard) {
      this.fn = fn;
      this.guard = guard;
    }

    @Override
    public void process(Object value) {
      Object r;
      try {
        r = fn.apply(value);
        if (r == null) {
          throw new NipException("map returned null; use filter or flatMap to drop records");
        }
      } catch (RuntimeException e) {
        r = guard.recover(value, e, fn);
        if (r == Guard.DROPPED) {
          return;
        }
      }
      out.process(r);
    }
  }

  /** Zero or more results per record, from an Iterable. */
  public static final class FlatMapOp extends Operator {
    private final Function<Object, Iterable<?>> fn;
    private final Guard guard;

    public FlatMapOp(Function<Object, Iterable<?>> fn, Guard guard) {
      this.fn = fn;
      this.guard = guard;
    }

    @Override
    public void process(Object value) {
      Iterable<?> results;
      try {
        results = fn.apply(value);
      } catch (RuntimeException e) {
        Object r = guard.recover(value, e, fn);
        if (r == Guard.DROPPED) {
          return;
        }
        results = (Iterable<?>) r;
      }
      if (results == null) {
        return;
      }
      for (Object r : results) {
        if (r != null) {
          out.process(r);
        } else {
          guard.reject(value, new NipException("flatMap produced a null element; the others were kept"));
        }
      }
    }
  }

  /** Calls a side effect and passes the record on unchanged. */
  public static final class PeekOp extends Operator {
    private final Consumer<Object> action;
    private final Guard guard;

    public PeekOp(Consumer<Object> action, Guard guard) {
      this.action = action;
      this.guard = guard;
    }

    @Override
    public void process(Object value) {
      try {
        action.accept(value);
      } catch (RuntimeException e) {
        Object r = guard.recover(value, e, v -> {
          action.accept(v);
          return v;
        });
        if (r == Guard.DROPPED) {
          return;
        }
      }
      out.process(value);
    }
  }
}
