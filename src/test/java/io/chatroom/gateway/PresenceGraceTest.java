package io.chatroom.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.chatroom.testing.Http;
import io.chatroom.testing.TestDatabases;
import io.chatroom.testing.TestServer;
import io.chatroom.testing.WsClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CHATROOM_PRESENCE_GRACE_SECONDS: a dropped connection keeps its user online for the grace period, so a quick
 * reconnect is invisible to the room, while leaving on purpose and staying away are still announced.
 */
class PresenceGraceTest {
  private static final Duration GRACE = Duration.ofMillis(1_500);

  @TempDir
  Path dir;

  private TestServer start() {
    return TestServer.start(dir, TestDatabases.create(TestDatabases.Kind.SQLITE, dir),
        Map.of("CHATROOM_PRESENCE_GRACE_SECONDS", Double.toString(GRACE.toMillis() / 1000.0)));
  }

  private static List<JsonNode> presence(WsClient watcher, Duration wait) {
    return watcher.drain(wait).stream().filter(f -> "presence".equals(f.path("type").asText())).toList();
  }

  /** Bob, in general, watching who comes and goes. */
  private static WsClient watching(TestServer server) {
    WsClient watcher = WsClient.connect(server.port(), server.http().register("bob").token());
    watcher.join("general");
    assertThat(watcher.next("presence").path("user").asText()).as("bob hears of himself first").isEqualTo("bob");
    return watcher;
  }

  /** Alice joins general with one connection, which the watcher sees arrive; returns that connection. */
  private static WsClient aliceComesOnline(TestServer server, Http.Account alice, WsClient watcher) {
    WsClient connection = WsClient.connect(server.port(), alice.token());
    connection.join("general");
    JsonNode online = watcher.next("presence");
    assertThat(online.path("user").asText() + " " + online.path("state").asText()).isEqualTo("alice online");
    return connection;
  }

  @Test
  void aReconnectWithinTheGraceIsNeitherAnnouncedOfflineNorOnline() {
    try (TestServer server = start()) {
      Http.Account alice = server.http().register("alice");
      WsClient watcher = watching(server);
      aliceComesOnline(server, alice, watcher).abort();
      WsClient again = WsClient.connect(server.port(), alice.token());
      JsonNode joined = again.join("general");
      assertThat(joined.path("members")).extracting(JsonNode::asText).contains("alice");
      assertThat(presence(watcher, GRACE.plusMillis(1_000))).as("the blip and the grace after it").isEmpty();

      again.request("leave", "room", "general");
      JsonNode left = watcher.next("presence");
      assertThat(left.path("user").asText()).isEqualTo("alice");
      assertThat(left.path("state").asText()).as("leaving on purpose is announced at once").isEqualTo("offline");
      again.close();
      watcher.close();
    }
  }

  @Test
  void aUserWhoStaysAwayIsAnnouncedOfflineOnceTheGraceEnds() {
    try (TestServer server = start()) {
      WsClient watcher = watching(server);
      WsClient gone = aliceComesOnline(server, server.http().register("alice"), watcher);
      long dropped = System.nanoTime();
      gone.abort();
      assertThat(presence(watcher, GRACE.dividedBy(2))).as("still within the grace").isEmpty();
      JsonNode offline = watcher.next("presence");
      assertThat(offline.path("user").asText()).isEqualTo("alice");
      assertThat(offline.path("state").asText()).isEqualTo("offline");
      assertThat(Duration.ofNanos(System.nanoTime() - dropped)).isGreaterThanOrEqualTo(GRACE);
      WsClient late = WsClient.connect(server.port(), server.http().register("dave").token());
      assertThat(late.join("general").path("members")).extracting(JsonNode::asText).doesNotContain("alice");
      late.close();
      watcher.close();
    }
  }
}
