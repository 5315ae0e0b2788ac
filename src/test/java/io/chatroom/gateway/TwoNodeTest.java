package io.chatroom.gateway;

import static io.chatroom.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.chatroom.testing.Http;
import io.chatroom.testing.TestDatabases;
import io.chatroom.testing.TestRedis;
import io.chatroom.testing.TestServer;
import io.chatroom.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes on one PostgreSQL and one Redis: users on different nodes chat, each sees every message once
 * and in order, also across a dropped Redis link (the messages published meanwhile come from the store).
 */
class TwoNodeTest {
  @TempDir
  Path dirA;
  @TempDir
  Path dirB;
  TestServer nodeA;
  TestServer nodeB;
  String redisUrl;

  @BeforeEach
  void start() {
    redisUrl = TestRedis.url();
    TestDatabases.Isolated db = TestDatabases.create(TestDatabases.Kind.POSTGRES, dirA);
    Map<String, String> env = Map.of("REDIS_URL", redisUrl, "CHATROOM_REDIS_PREFIX", TestRedis.uniquePrefix());
    nodeA = TestServer.start(dirA, db, env);
    nodeB = TestServer.start(dirB, db, env);
  }

  @AfterEach
  void stop() {
    if (nodeA != null) {
      nodeA.close();
    }
    if (nodeB != null) {
      nodeB.close();
    }
  }

  private static List<Long> seqs(List<JsonNode> messages) {
    return messages.stream().map(m -> m.path("seq").asLong()).toList();
  }

  @Test
  void usersOnDifferentNodesGetEveryMessageOnceInOrder() throws Exception {
    Http.Account alice = nodeA.http().register("alice");
    Http.Account bob = nodeB.http().register("bob");
    try (WsClient a = WsClient.connect(nodeA.port(), alice.token()); WsClient b = WsClient.connect(nodeB.port(), bob.token())) {
      a.join("general");
      b.join("general");
      CompletableFuture<Void> fromA = CompletableFuture.runAsync(() -> {
        for (int i = 0; i < 100; i++) {
          a.send("general", "a" + i, "a" + i);
        }
      });
      CompletableFuture<Void> fromB = CompletableFuture.runAsync(() -> {
        for (int i = 0; i < 100; i++) {
          b.send("general", "b" + i, "b" + i);
        }
      });
      CompletableFuture.allOf(fromA, fromB).get(60, TimeUnit.SECONDS);
      List<Long> all = LongStream.rangeClosed(1, 200).boxed().toList();
      assertThat(seqs(a.messages("general", 200))).containsExactlyElementsOf(all);
      assertThat(seqs(b.messages("general", 200))).containsExactlyElementsOf(all);
    }
  }

  @Test
  void presenceIsSharedAcrossNodesAndATabOnEachCountsOnce() throws Exception {
    Http.Account alice = nodeA.http().register("alice");
    Http.Account bob = nodeB.http().register("bob");
    try (WsClient a = WsClient.connect(nodeA.port(), alice.token()); WsClient b = WsClient.connect(nodeB.port(), bob.token())) {
      a.join("general");
      JsonNode joined = b.join("general");
      assertThat(joined.path("members").toString()).isEqualTo("[\"alice\",\"bob\"]");
      JsonNode bobOnline = a.next("presence");
      if (bobOnline.path("user").asText().equals("alice")) {
        bobOnline = a.next("presence"); // alice first hears of herself
      }
      assertThat(bobOnline.path("user").asText()).isEqualTo("bob");
      assertThat(bobOnline.path("state").asText()).isEqualTo("online");

      try (WsClient aliceOnB = WsClient.connect(nodeB.port(), alice.token())) {
        assertThat(aliceOnB.join("general").path("members").toString()).isEqualTo("[\"alice\",\"bob\"]");
      }
      // alice's second tab came and went on the other node: she never went offline, so bob hears nothing
      a.send("general", "still here", "s1");
      JsonNode next = b.drain(java.time.Duration.ofMillis(500)).stream()
          .filter(f -> f.path("type").asText().equals("presence") && f.path("user").asText().equals("alice")).findFirst().orElse(null);
      assertThat(next).as("no presence event about alice for her second tab").isNull();
    }
  }

  @Test
  void messagesPublishedWhileTheRedisLinkIsDownStillArrive() throws Exception {
    Http.Account alice = nodeA.http().register("alice");
    Http.Account bob = nodeB.http().register("bob");
    Vertx vertx = Vertx.vertx();
    try (WsClient a = WsClient.connect(nodeA.port(), alice.token()); WsClient b = WsClient.connect(nodeB.port(), bob.token())) {
      a.join("general");
      b.join("general");
      a.send("general", "before", "m0");
      assertThat(seqs(b.messages("general", 1))).containsExactly(1L);

      await(Redis.createClient(vertx, redisUrl).send(Request.cmd(Command.CLIENT).arg("KILL").arg("TYPE").arg("pubsub")));
      for (int i = 1; i <= 20; i++) {
        a.send("general", "during " + i, "m" + i);
      }
      // no later message will come to reveal a gap: the resync after the link is back must bring them
      assertThat(seqs(b.messages("general", 20))).containsExactlyElementsOf(LongStream.rangeClosed(2, 21).boxed().toList());
    } finally {
      vertx.close();
    }
  }
}
