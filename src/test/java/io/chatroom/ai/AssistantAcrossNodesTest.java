package io.chatroom.ai;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.chatroom.testing.Await;
import io.chatroom.testing.Http;
import io.chatroom.testing.TestDatabases;
import io.chatroom.testing.TestRedis;
import io.chatroom.testing.TestServer;
import io.chatroom.testing.WsClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes on one PostgreSQL and one Redis: a question is answered once in the whole cluster, by the node
 * that took it, though both nodes see it; answers, question budgets and hot questions are shared.
 */
class AssistantAcrossNodesTest {
  @TempDir
  Path dirA;
  @TempDir
  Path dirB;
  FakeOpenAi provider;
  TestServer nodeA;
  TestServer nodeB;

  @BeforeEach
  void start() {
    String redisUrl = TestRedis.url();
    TestDatabases.Isolated db = TestDatabases.create(TestDatabases.Kind.POSTGRES, dirA);
    provider = FakeOpenAi.start();
    Map<String, String> env = Map.of("REDIS_URL", redisUrl, "CHATROOM_REDIS_PREFIX", TestRedis.uniquePrefix(),
        "AI_BASE_URL", provider.baseUrl(), "AI_RATE_PER_MINUTE", "2", "ADMIN_USERS", "alice");
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
    if (provider != null) {
      provider.close();
    }
  }

  private static JsonNode answer(WsClient c, String room, long question) {
    while (true) {
      JsonNode f = c.next();
      if (room.equals(f.path("room").asText()) && f.path("replyTo").asLong() == question
          && !f.path("type").asText().equals("ai_delta")) {
        return f;
      }
    }
  }

  @Test
  void aQuestionIsAnsweredOnceInTheClusterAndItsAnswerServesTheOtherNode() {
    Http.Account alice = nodeA.http().register("alice");
    Http.Account bob = nodeB.http().register("bob");
    try (WsClient a = WsClient.connect(nodeA.port(), alice.token()); WsClient b = WsClient.connect(nodeB.port(), bob.token())) {
      a.join("shared-room");
      b.join("shared-room");
      b.join("fresh-room");

      long question = a.send("shared-room", "@ai what is a node?", "q1").path("seq").asLong();
      JsonNode seenOnB = answer(b, "shared-room", question);
      assertThat(seenOnB.path("type").asText()).isEqualTo("message");
      assertThat(seenOnB.path("from").asText()).isEqualTo("ai");
      assertThat(answer(a, "shared-room", question).path("seq").asLong()).isEqualTo(seenOnB.path("seq").asLong());

      // bob's node asks nothing for the same words in an empty room: node A's answer is in the shared cache
      long again = b.send("fresh-room", "@ai What is a node", "q2").path("seq").asLong();
      JsonNode cached = answer(b, "fresh-room", again);
      assertThat(cached.path("text").asText()).isEqualTo(seenOnB.path("text").asText());
      assertThat(provider.calls()).isEqualTo(1);

      // one answer each, however long we wait, on either node and in the store
      assertThat(b.drain(Duration.ofMillis(700))).noneMatch(f -> f.path("from").asText().equals("ai"));
      List<JsonNode> stored = StreamSupport.stream(nodeB.http().get("/api/rooms/shared-room/messages", bob.token())
          .body().path("messages").spliterator(), false).toList();
      assertThat(stored).extracting(m -> m.path("from").asText()).containsExactly("alice", "ai");

      // alice's budget of 2 a minute is one for both nodes: her second question, asked on B, is her last
      try (WsClient onB = WsClient.connect(nodeB.port(), alice.token())) {
        onB.join("fresh-room");
        long second = onB.send("fresh-room", "@ai second", "q3").path("seq").asLong();
        assertThat(answer(onB, "fresh-room", second).path("type").asText()).isEqualTo("message");
        long third = onB.send("fresh-room", "@ai third", "q4").path("seq").asLong();
        JsonNode refused = answer(onB, "fresh-room", third);
        assertThat(refused.path("type").asText()).isEqualTo("ai_error");
        assertThat(refused.path("code").asText()).isEqualTo("rate_limited");
      }

      // and the hot list counts both nodes' questions
      Await.until(() -> {
        JsonNode top = nodeA.http().get("/api/admin/ai/hot", alice.token()).body().path("questions").path(0);
        return top.path("question").asText().equals("what is a node") && top.path("count").asLong() == 2;
      });
    }
  }
}
