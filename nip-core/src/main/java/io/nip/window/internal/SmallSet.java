package io.nip.window.internal;

import java.util.AbstractSet;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The accumulator of {@code countDistinct}: most windows see few distinct values (event types,
 * countries), so up to 16 are kept in a plain array searched linearly (no hash node per value);
 * past that it moves to a {@link HashSet}. Not thread-safe, like every accumulator.
 */
public final class SmallSet extends AbstractSet<Object> {
  private static final int MAX_ARRAY = 16;
  private Object[] items = new Object[4];
  private int size;
  private HashSet<Object> large;

  @Override
  public boolean add(Object o) {
    if (large != null) {
      return large.add(o);
    }
    for (int i = 0; i < size; i++) {
      if (items[i] == o || (o != null && o.equals(items[i]))) {
        return false;
      }
    }
    if (size == MAX_ARRAY) {
      large = new HashSet<>(Arrays.asList(items).subList(0, size));
      items = null;
      return large.add(o);
    }
    if (size == items.length) {
      items = Arrays.copyOf(items, Math.min(items.length * 2, MAX_ARRAY));
    }
    items[size++] = o;
    return true;
  }

  @Override
  public boolean contains(Object o) {
    if (large != null) {
      return large.contains(o);
    }
    for (int i = 0; i < size; i++) {
      if (items[i] == o || (o != null && o.equals(items[i]))) {
        return true;
      }
    }
    return false;
  }

  @Override
  public int size() {
    return large != null ? large.size() : size;
  }

  @Override
  public Iterator<Object> iterator() {
    if (large != null) {
      return large.iterator();
    }
    return new Iterator<>() {
      private int next;

      @Override
      public boolean hasNext() {
        return next < size;
      }

      @Override
      public Object next() {
        if (next >= size) {
          throw new NoSuchElementException();
        }
        return items[next++];
      }
    };
  }
}
