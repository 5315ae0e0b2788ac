package io.chatroom.gateway;

import io.chatroom.testing.TestDatabases;

class PostgresChatServerTest extends ChatServerContract {
  @Override
  TestDatabases.Kind kind() {
    return TestDatabases.Kind.POSTGRES;
  }
}
