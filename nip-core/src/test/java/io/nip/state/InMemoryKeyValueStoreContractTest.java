package io.nip.state;

/** The key-value store contract on the in-memory backend. */
class InMemoryKeyValueStoreContractTest extends KeyValueStoreContract {
  @Override
  protected StateBackend backend() {
    return StateBackend.inMemory();
  }
}
