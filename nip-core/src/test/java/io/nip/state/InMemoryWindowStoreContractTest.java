package io.nip.state;

/** The window store contract on the in-memory backend. */
class InMemoryWindowStoreContractTest extends WindowStoreContract {
  @Override
  protected StateBackend backend() {
    return StateBackend.inMemory();
  }
}
