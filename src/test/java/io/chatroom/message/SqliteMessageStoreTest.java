package io.chatroom.message;

import io.chatroom.testing.TestDatabases;

class SqliteMessageStoreTest extends MessageStoreContract {
  @Override
  TestDatabases.Kind kind() {
    return TestDatabases.Kind.SQLITE;
  }
}
