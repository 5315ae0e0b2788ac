package io.chatroom.ai;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatroom.testing.TestRedis;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The contract on a real Redis, and the point of it: every node counts into one list. */
class RedisHotQuestionsTest extends HotQuestionsContract {
  final Vertx vertx = Vertx.vertx();
  Redis client;
  String prefix;

  @BeforeEach
  void connect() {
    client = Redis.createClient(vertx, TestRedis.url());
    prefix = TestRedis.uniquePrefix();
  }

  @AfterEach
  void close() {
    vertx.close();
  }

  @Override
  HotQuestions store() {
    return new RedisHotQuestions(client, prefix);
  }

  @Test
  void twoNodesCountIntoOneList() {
    HotQuestions nodeA = store();
    HotQuestions nodeB = new RedisHotQuestions(Redis.createClient(vertx, TestRedis.url()), prefix);
    nodeA.count("shared question");
    nodeB.count("shared question");
    io.chatroom.testing.Await.until(() -> !top(nodeA, 1).isEmpty() && top(nodeA, 1).get(0).count() == 2);
    assertThat(top(nodeB, 5)).containsExactly(new HotQuestions.Entry("shared question", 2));
  }
}
