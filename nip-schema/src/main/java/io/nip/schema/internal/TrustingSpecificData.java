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
 * Thread-safe: the class cache is a concurrent map.
 */
public final class TrustingSpecificData extends SpecificData {
  private final String trustedPackage;
  private final ClassLoader loader;
  private final Map<String, Class<?>> classes = new ConcurrentHashMap<>();

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
