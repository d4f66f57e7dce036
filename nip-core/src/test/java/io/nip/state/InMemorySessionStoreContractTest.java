package io.nip.state;

/** The session store contract on the in-memory backend. */
class InMemorySessionStoreContractTest extends SessionStoreContract {
  @Override
  protected StateBackend backend() {
    return StateBackend.inMemory();
  }
}
