package io.nip.schema.internal;

import io.nip.schema.RegisteredSchema;
import io.nip.schema.SchemaRegistryClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A registry in memory. Ids are global and count from 1; the same schema text (and type) gets the
 * same id under every subject, as in Confluent's registry; a subject's versions are the ids in the
 * order they were registered. Every method is synchronized: registrations are rare and lookups
 * are cached by the serdes.
 */
public class InMemorySchemaRegistry implements SchemaRegistryClient {
  private final Map<Integer, RegisteredSchema> byId = new LinkedHashMap<>();
  private final Map<String, Integer> idByText = new HashMap<>();
  private final Map<String, List<Integer>> subjects = new LinkedHashMap<>();

  @Override
  public synchronized int register(String subject, String schemaType, String schema) {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(schemaType, "schemaType");
    Objects.requireNonNull(schema, "schema");
    beforeRegister();
    String key = schemaType + "\n" + schema;
    Integer id = idByText.get(key);
    boolean changed = false;
    if (id == null) {
      id = byId.size() + 1;
      byId.put(id, new RegisteredSchema(id, schemaType, schema));
      idByText.put(key, id);
      changed = true;
    }
    List<Integer> versions = subjects.computeIfAbsent(subject, s -> new ArrayList<>());
    if (!versions.contains(id)) {
      versions.add(id);
      changed = true;
    }
    if (changed) {
      afterChange();
    }
    return id;
  }

  @Override
  public synchronized Optional<RegisteredSchema> schema(int id) {
    RegisteredSchema s = byId.get(id);
    if (s == null && reload()) {
      s = byId.get(id);
    }
    return Optional.ofNullable(s);
  }

  @Override
  public synchronized Optional<Integer> latestId(String subject) {
    List<Integer> versions = subjects.get(subject);
    if (versions == null && reload()) {
      versions = subjects.get(subject);
    }
    return versions == null || versions.isEmpty() ? Optional.empty() : Optional.of(versions.get(versions.size() - 1));
  }

  /** Called under the lock before a registration: a file-backed registry re-reads its file. */
  protected void beforeRegister() {
    reload();
  }

  /** Called under the lock after a registration changed something: a file-backed registry writes it. */
  protected void afterChange() {}

  /** @return true when the contents were re-read (a lookup that missed tries again) */
  protected boolean reload() {
    return false;
  }

  /** @return every schema, by id, in id order; for subclasses holding the lock */
  protected Map<Integer, RegisteredSchema> schemas() {
    return byId;
  }

  /** @return every subject's ids in registration order; for subclasses holding the lock */
  protected Map<String, List<Integer>> subjects() {
    return subjects;
  }

  /** Replaces the contents; for subclasses holding the lock. */
  protected void replace(Map<Integer, RegisteredSchema> schemas, Map<String, List<Integer>> subjectIds) {
    byId.clear();
    idByText.clear();
    subjects.clear();
    for (RegisteredSchema s : schemas.values()) {
      byId.put(s.id(), s);
      idByText.put(s.schemaType() + "\n" + s.schema(), s.id());
    }
    subjectIds.forEach((k, v) -> subjects.put(k, new ArrayList<>(v)));
  }
}
