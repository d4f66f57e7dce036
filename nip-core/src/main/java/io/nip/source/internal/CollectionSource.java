package io.nip.source.internal;

import io.nip.errors.ConfigurationException;
import io.nip.source.Source;
import io.nip.source.SourceContext;
import io.nip.source.SourceOutput;
import io.nip.source.SourcePosition;
import io.nip.source.SourceReader;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * A bounded source over an unmodifiable copy of a collection (no copy when it already is an
 * unmodifiable list); partition p holds elements p, p+n, p+2n ...
 */
public final class CollectionSource<T> implements Source<T> {
  private final String name;
  private final List<T> values;
  private final int partitions;

  /**
   * @param name source name
   * @param values records
   * @param partitions partitions, at least 1
   */
  public CollectionSource(String name, Collection<? extends T> values, int partitions) {
    if (partitions < 1) {
      throw ConfigurationException.invalid("source " + name + " partitions", partitions, "must be at least 1");
    }
    Objects.requireNonNull(values, "values");
    this.name = name;
    try {
      // an unmodifiable list (List.of, List.copyOf) is kept as it is; anything else is copied
      this.values = List.copyOf(values);
    } catch (NullPointerException e) {
      throw ConfigurationException.invalid("source " + name, "a null element", "must not contain nulls");
    }
    this.partitions = partitions;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int partitions() {
    return partitions;
  }

  @Override
  public boolean isBounded() {
    return true;
  }

  @Override
  public SourceReader<T> createReader(int partition, SourceContext context, SourcePosition startPosition) {
    return new SourceReader<>() {
      private long next = SourcePosition.offsetOr(startPosition, 0);

      @Override
      public Status poll(SourceOutput<T> output, int maxRecords) {
        for (int i = 0; i < maxRecords; i++) {
          long index = partition + next * partitions;
          if (index >= values.size()) {
            return Status.END_OF_INPUT;
          }
          output.emit(values.get((int) index), null, next++, SourceOutput.NO_TIMESTAMP);
        }
        return partition + next * partitions >= values.size() ? Status.END_OF_INPUT : Status.MORE_AVAILABLE;
      }

      @Override
      public SourcePosition position() {
        return SourcePosition.ofOffset(next);
      }

      @Override
      public void close() {}
    };
  }
}
