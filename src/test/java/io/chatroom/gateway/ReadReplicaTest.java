package io.chatroom.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatroom.testing.Http;
import io.chatroom.testing.TestDatabases;
import io.chatroom.testing.TestServer;
import io.chatroom.testing.WsClient;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DATABASE_READ_URL serves pages of older history; everything that must see the latest commits (join
 * replays, gap fills, pages after a seq) stays on the primary. Here the "replica" is the same database
 * through a second, read-only pool, which is enough to see which pool each read takes.
 */
class ReadReplicaTest {
  private static final Pattern READ_POOL_USES =
      Pattern.compile("^hikaricp_connections_usage_seconds_count\\{pool=\"chatroom-db-read\"} (\\S+)$", Pattern.MULTILINE);

  @TempDir
  Path dataDir;

  private static double readPoolUses(TestServer server) {
    Matcher m = READ_POOL_USES.matcher(server.node().metrics().scrape());
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  @Test
  void olderPagesComeFromTheReplicaAndCatchUpReadsFromThePrimary() {
    TestDatabases.Isolated db = TestDatabases.create(TestDatabases.Kind.POSTGRES, dataDir);
    try (TestServer server = TestServer.start(dataDir, db, Map.of("DATABASE_READ_URL", TestDatabases.postgresUrl()))) {
      Http http = server.http();
      Http.Account alice = http.register("alice");
      try (WsClient ws = WsClient.connect(server.port(), alice.token())) {
        ws.join("general");
        for (int i = 1; i <= 60; i++) {
          ws.send("general", "m" + i, "c" + i);
        }
        double before = readPoolUses(server);
        ws.join("random");
        assertThat(http.get("/api/rooms/general/messages?after=50", alice.token()).body().path("messages").size()).isEqualTo(10);
        assertThat(readPoolUses(server)).as("catch-up reads stay on the primary").isEqualTo(before);

        Http.Response older = http.get("/api/rooms/general/messages?before=51&limit=10", alice.token());
        assertThat(older.body().path("messages").findValuesAsText("text")).containsExactly(
            "m41", "m42", "m43", "m44", "m45", "m46", "m47", "m48", "m49", "m50");
        assertThat(readPoolUses(server)).as("an older page comes from the replica").isEqualTo(before + 1);
      }
      assertThat(http.get("/health", null).body().path("checks").path("database_replica").path("status").asText()).isEqualTo("UP");
    }
  }
}
