package io.chatroom.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.chatroom.testing.Http;
import io.chatroom.testing.TestDatabases;
import io.chatroom.testing.TestServer;
import io.chatroom.testing.WsClient;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node that stops on purpose sends its clients away politely, and they lose nothing by it. */
class GracefulShutdownTest {
  @TempDir
  Path dataDir;

  @Test
  void clientsAreToldToReconnectAndClosedWith1012AndResumeAfterTheRestart() {
    TestServer server = TestServer.start(dataDir, TestDatabases.create(TestDatabases.Kind.SQLITE, dataDir));
    try {
      Http.Account alice = server.http().register("alice");
      long seq;
      try (WsClient ws = WsClient.connect(server.port(), alice.token())) {
        ws.join("general");
        seq = ws.send("general", "before the restart", "r1").path("seq").asLong();
        server.restart();
        JsonNode goodbye = ws.next("reconnect");
        assertThat(goodbye.toString()).isEqualTo("{\"type\":\"reconnect\"}");
        assertThat(ws.awaitClose()).isEqualTo(1012);
      }
      try (WsClient again = WsClient.connect(server.port(), alice.token())) {
        again.join("general", seq);
        JsonNode resent = again.send("general", "before the restart", "r1");
        assertThat(resent.path("seq").asLong()).as("a re-send after the restart is the same message").isEqualTo(seq);
        assertThat(resent.path("duplicate").asBoolean()).isTrue();
      }
    } finally {
      server.close();
    }
  }
}
