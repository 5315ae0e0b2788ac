package io.chatroom.ai;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatroom.testing.RedisSession;
import io.chatroom.testing.TestRedis;
import io.vertx.redis.client.Redis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The contract on a real Redis, and the point of it: every node counts into one list. */
class RedisHotQuestionsTest extends HotQuestionsContract {
  @RegisterExtension
  final RedisSession redis = new RedisSession();

  @Override
  HotQuestions store() {
    return new RedisHotQuestions(redis.client(), redis.prefix());
  }

  @Test
  void twoNodesCountIntoOneList() {
    HotQuestions nodeA = store();
    HotQuestions nodeB = new RedisHotQuestions(Redis.createClient(redis.vertx(), TestRedis.url()), redis.prefix());
    nodeA.count("shared question");
    nodeB.count("shared question");
    io.chatroom.testing.Await.until(() -> !top(nodeA, 1).isEmpty() && top(nodeA, 1).get(0).count() == 2);
    assertThat(top(nodeB, 5)).containsExactly(new HotQuestions.Entry("shared question", 2));
  }
}
