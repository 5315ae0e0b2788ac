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

  @Test
  void aReconnectWithinTheGraceIsNeitherAnnouncedOfflineNorOnline() {
    try (TestServer server = start()) {
      Http.Account alice = server.http().register("alice");
      WsClient watcher = WsClient.connect(server.port(), server.http().register("bob").token());
      watcher.join("general");
      assertThat(watcher.next("presence").path("user").asText()).as("bob hears of himself first").isEqualTo("bob");
      WsClient first = WsClient.connect(server.port(), alice.token());
      first.join("general");
      JsonNode online = watcher.next("presence");
      assertThat(online.path("user").asText() + " " + online.path("state").asText()).isEqualTo("alice online");

      first.abort();
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
      Http.Account alice = server.http().register("alice");
      WsClient watcher = WsClient.connect(server.port(), server.http().register("bob").token());
      watcher.join("general");
      assertThat(watcher.next("presence").path("user").asText()).as("bob hears of himself first").isEqualTo("bob");
      WsClient gone = WsClient.connect(server.port(), alice.token());
      gone.join("general");
      JsonNode online = watcher.next("presence");
      assertThat(online.path("user").asText() + " " + online.path("state").asText()).isEqualTo("alice online");

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
