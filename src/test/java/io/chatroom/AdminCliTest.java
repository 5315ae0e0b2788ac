package io.chatroom;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatroom.testing.Http;
import io.chatroom.testing.TestDatabases;
import io.chatroom.testing.TestServer;
import io.chatroom.testing.WsClient;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code chatroom user promote NAME} makes an admin of a running installation's user. */
class AdminCliTest {
  @TempDir
  Path dataDir;

  @Test
  void promoteGrantsTheAdminApiAndTheOpsRoomAndDemoteTakesThemBack() {
    TestDatabases.Isolated db = TestDatabases.create(TestDatabases.Kind.SQLITE, dataDir);
    String url = "sqlite:" + dataDir.resolve("test.db");
    try (TestServer server = TestServer.start(dataDir, db)) {
      Http http = server.http();
      Http.Account carol = http.register("carol");
      assertThat(http.get("/api/admin/monitor/current", carol.token()).status()).isEqualTo(403);

      assertThat(Main.run("user", "promote", "Carol", "--database-url", url)).isEqualTo(0);
      assertThat(http.get("/api/admin/monitor/current", carol.token()).status()).isEqualTo(200);
      try (WsClient ws = WsClient.connect(server.port(), carol.token())) {
        assertThat(ws.join("ops").path("type").asText()).isEqualTo("ok");
      }

      assertThat(Main.run("user", "demote", "carol", "--database-url", url)).isEqualTo(0);
      assertThat(http.get("/api/admin/monitor/current", carol.token()).status()).isEqualTo(403);
      assertThat(http.get("/api/rooms/ops/messages", carol.token()).status()).as("no longer in the ops room").isEqualTo(403);
      assertThat(Main.run("user", "promote", "nobody", "--database-url", url)).as("unknown user").isEqualTo(1);
    }
  }
}
