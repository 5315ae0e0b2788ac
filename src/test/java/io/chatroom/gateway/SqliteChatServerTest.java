package io.chatroom.gateway;

import io.chatroom.testing.TestDatabases;

class SqliteChatServerTest extends ChatServerContract {
  @Override
  TestDatabases.Kind kind() {
    return TestDatabases.Kind.SQLITE;
  }
}
