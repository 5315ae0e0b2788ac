package io.chatroom.message;

import io.chatroom.testing.TestDatabases;

class PostgresMessageStoreTest extends MessageStoreContract {
  @Override
  TestDatabases.Kind kind() {
    return TestDatabases.Kind.POSTGRES;
  }
}
