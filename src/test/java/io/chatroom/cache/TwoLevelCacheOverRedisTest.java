package io.chatroom.cache;

import static io.chatroom.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.chatroom.observability.Metrics;
import io.chatroom.testing.Await;
import io.chatroom.testing.TestRedis;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two nodes, each with its own Vert.x, memory and Redis links, sharing one Redis and one fake database. */
class TwoLevelCacheOverRedisTest {
  static final TwoLevelCache.Settings SETTINGS = new TwoLevelCache.Settings("memberships", 1_000, Duration.ofMinutes(5), Duration.ofMinutes(10));

  final Vertx vertxA = Vertx.vertx();
  final Vertx vertxB = Vertx.vertx();
  final Metrics metricsA = new Metrics();
  final Metrics metricsB = new Metrics();
  final Map<Long, Boolean> rows = new ConcurrentHashMap<>();
  final AtomicInteger loads = new AtomicInteger();
  String url;
  String prefix;
  TwoLevelCache<Long, Boolean> nodeA;
  TwoLevelCache<Long, Boolean> nodeB;

  @BeforeEach
  void start() throws Exception {
    url = TestRedis.url();
    prefix = TestRedis.uniquePrefix();
    nodeA = node(vertxA, metricsA);
    nodeB = node(vertxB, metricsB);
  }

  @AfterEach
  void stop() {
    vertxA.close();
    vertxB.close();
    metricsA.close();
    metricsB.close();
  }

  private TwoLevelCache<Long, Boolean> node(Vertx vertx, Metrics metrics) throws Exception {
    RedisSharedCache shared = new RedisSharedCache(vertx, Redis.createClient(vertx, url), prefix);
    await(shared.start());
    return new TwoLevelCache<>(SETTINGS, Boolean.class, id -> Long.toString(id), id -> {
      loads.incrementAndGet();
      return Future.succeededFuture(rows.get(id));
    }, shared, metrics);
  }

  private static boolean answers(TwoLevelCache<Long, Boolean> node, Long key, Boolean expected) {
    try {
      return expected == null ? await(node.get(key)) == null : expected.equals(await(node.get(key)));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void theSecondNodeReadsTheFirstNodesLoadFromRedis() throws Exception {
    rows.put(7L, true);
    assertThat(await(nodeA.get(7L))).isTrue();
    // the write-back is not awaited by the get; once it is in Redis, b needs no database
    Await.until(() -> {
      try {
        return await(Redis.createClient(vertxA, url).send(Request.cmd(Command.EXISTS).arg(prefix + ":cache:memberships:7"))).toInteger() == 1;
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    });
    assertThat(await(nodeB.get(7L))).isTrue();
    assertThat(loads).hasValue(1);
    assertThat(metricsB.registry().get("chatroom.cache.requests")
        .tags("cache", "memberships", "level", "shared", "result", "hit").counter().count()).isEqualTo(1);
  }

  @Test
  void anInvalidationOnOneNodeReachesTheOthersMemoryAtOnce() throws Exception {
    rows.put(7L, true);
    assertThat(await(nodeA.get(7L))).isTrue();
    assertThat(await(nodeB.get(7L))).isTrue();
    rows.remove(7L);
    assertThat(await(nodeB.get(7L))).as("b holds it in memory").isTrue();

    await(nodeA.invalidate(7L));
    Await.until(() -> answers(nodeB, 7L, null));
    assertThat(answers(nodeA, 7L, null)).isTrue();
  }

  @Test
  void aNodeWhoseLinkDroppedForgetsEverythingWhenItIsBack() throws Exception {
    rows.put(7L, true);
    assertThat(await(nodeB.get(7L))).isTrue();
    rows.remove(7L);
    // a change whose message b cannot hear: straight into Redis while b's link is down
    await(Redis.createClient(vertxA, url).send(Request.cmd(Command.CLIENT).arg("KILL").arg("TYPE").arg("pubsub")));
    await(Redis.createClient(vertxA, url).send(Request.cmd(Command.DEL).arg(prefix + ":cache:memberships:7")));
    Await.until(() -> answers(nodeB, 7L, null));
  }
}
