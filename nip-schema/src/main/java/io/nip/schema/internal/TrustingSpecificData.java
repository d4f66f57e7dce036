package io.nip.schema.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Conversion;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;

/**
 * Avro's specific model for one record class that the application named itself. Avro 1.12 loads
 * a specific class by the schema's full name only when its class-security check trusts it (by
 * default: Avro's own and some JDK packages, or packages listed in a system property); a serde made
 * for {@code UserEvent.class} is the application saying it trusts that class, so this model loads
 * the named class and the classes of its package (nested records, enums, fixed types) itself and
 * leaves every other name to Avro's check. The class's own logical-type conversions are kept.
 * Avro asks for the class of every record it reads, so the last schema asked about and its class
 * are kept in one immutable pair (no name built, no map lookup on the hot path). Thread-safe: the
 * class cache is a concurrent map, the last pair a volatile reference.
 */
public final class TrustingSpecificData extends SpecificData {
  private final String trustedPackage;
  private final ClassLoader loader;
  private final Map<String, Class<?>> classes = new ConcurrentHashMap<>();
  private volatile Last last = new Last(null, null);

  /** The last schema looked up, by identity, and its class. */
  private record Last(Schema schema, Class<?> type) {}

  /**
   * @param type the record class the application named
   * @param base the model Avro gives for it (its conversions are copied)
   */
  public TrustingSpecificData(Class<?> type, SpecificData base) {
    super(type.getClassLoader());
    this.trustedPackage = type.getPackageName();
    this.loader = type.getClassLoader();
    classes.put(type.getName(), type);
    for (Conversion<?> c : base.getConversions()) {
      addLogicalTypeConversion(c);
    }
  }

  @Override
  @SuppressWarnings("rawtypes")
  public Class getClass(Schema schema) {
    Last l = last;
    if (l.schema() == schema) {
      return l.type();
    }
    Class<?> c = lookUp(schema);
    last = new Last(schema, c);
    return c;
  }

  private Class<?> lookUp(Schema schema) {
    Schema.Type t = schema.getType();
    if (t == Schema.Type.RECORD || t == Schema.Type.ENUM || t == Schema.Type.FIXED) {
      String name = getClassName(schema);
      Class<?> known = classes.get(name);
      if (known != null) {
        return known;
      }
      if (name.startsWith(trustedPackage + ".") && name.indexOf('.', trustedPackage.length() + 1) < 0) {
        try {
          Class<?> c = Class.forName(name, false, loader);
          classes.put(name, c);
          return c;
        } catch (ClassNotFoundException e) {
          return super.getClass(schema);
        }
      }
    }
    return super.getClass(schema);
  }
}
