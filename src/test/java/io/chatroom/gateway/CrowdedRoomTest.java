package io.chatroom.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.chatroom.gateway.protocol.ServerFrame;
import io.chatroom.testing.Http;
import io.chatroom.testing.TestDatabases;
import io.chatroom.testing.TestServer;
import io.chatroom.testing.WsClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A room past {@value ServerFrame.JoinOk#MEMBERS_SHOWN} users online stops announcing arrivals and listing everyone. */
class CrowdedRoomTest {
  @TempDir
  Path dir;

  @Test
  void aCrowdedRoomListsTheFirstHundredAndAnnouncesNoMoreArrivalsButEveryAnnouncedDeparture() throws Exception {
    int shown = ServerFrame.JoinOk.MEMBERS_SHOWN;
    try (TestServer server = TestServer.start(dir, TestDatabases.create(TestDatabases.Kind.SQLITE, dir),
        Map.of("CHATROOM_API_RATE", "10000", "CHATROOM_API_BURST", "10000", "CHATROOM_PRESENCE_GRACE_SECONDS", "0"))) {
      List<Http.Account> accounts = register(server, shown + 1);
      List<WsClient> sockets = new ArrayList<>();
      try {
        WsClient watcher = WsClient.connect(server.port(), accounts.get(0).token());
        sockets.add(watcher);
        watcher.join("crowd");
        for (int i = 1; i < shown; i++) {
          WsClient client = WsClient.connect(server.port(), accounts.get(i).token());
          sockets.add(client);
          client.join("crowd");
        }
        // users 1..99 came online while the room had at most 100: each was announced
        List<JsonNode> seen = watcher.drain(Duration.ofMillis(500));
        assertThat(seen.stream().filter(f -> "presence".equals(f.path("type").asText())).count()).isEqualTo(shown);

        WsClient last = WsClient.connect(server.port(), accounts.get(shown).token());
        sockets.add(last);
        JsonNode joined = last.join("crowd");
        assertThat(joined.path("online").asInt()).isEqualTo(shown + 1);
        assertThat(joined.path("members")).hasSize(shown);
        assertThat(watcher.drain(Duration.ofMillis(500))).noneMatch(f -> "presence".equals(f.path("type").asText()));

        // one who arrived while the room was small opens another tab now that it is crowded
        WsClient laterTab = WsClient.connect(server.port(), accounts.get(1).token());
        sockets.add(laterTab);
        laterTab.join("crowd");

        last.close();
        assertThat(watcher.drain(Duration.ofMillis(500))).noneMatch(f -> "presence".equals(f.path("type").asText()));
        sockets.get(1).close();
        assertThat(watcher.drain(Duration.ofMillis(500))).as("still online through the later tab")
            .noneMatch(f -> "presence".equals(f.path("type").asText()));
        // ...and is seen leaving when that tab, which joined the crowded room, leaves last
        laterTab.close();
        JsonNode gone = watcher.next("presence");
        assertThat(gone.path("user").asText()).isEqualTo(accounts.get(1).username());
        assertThat(gone.path("state").asText()).isEqualTo("offline");
      } finally {
        sockets.forEach(WsClient::close);
      }
    }
  }

  private static List<Http.Account> register(TestServer server, int count) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Http.Account>> futures = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        String name = "crowd" + i;
        futures.add(pool.submit(() -> server.http().register(name)));
      }
      List<Http.Account> accounts = new ArrayList<>();
      for (Future<Http.Account> f : futures) {
        accounts.add(f.get());
      }
      return accounts;
    } finally {
      pool.shutdownNow();
    }
  }
}
