package io.chatroom.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatroom.cache.RedisSharedCache;
import io.chatroom.cache.SharedCache;
import io.chatroom.store.Database;
import io.chatroom.testing.Http;
import io.chatroom.testing.TestDatabases;
import io.chatroom.testing.TestRedis;
import io.chatroom.testing.TestServer;
import io.chatroom.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes that cache rights (they share PostgreSQL and Redis) and the CLI's promote and demote beside
 * them: a demotion takes the admin API and the ops room away on both nodes at once, not when their
 * cached copies expire.
 */
class DemoteAcrossNodesTest {
  /** Far below the caches' shortest lifetime (30 s - 20 %): passing within it means the nodes were told. */
  static final Duration AT_ONCE = Duration.ofSeconds(3);

  @TempDir
  Path dirA;
  @TempDir
  Path dirB;
  TestServer nodeA;
  TestServer nodeB;
  final Vertx cli = Vertx.vertx();
  Database database;
  SharedCache nodes;

  @BeforeEach
  void start() {
    String redisUrl = TestRedis.url();
    String prefix = TestRedis.uniquePrefix();
    TestDatabases.Isolated db = TestDatabases.create(TestDatabases.Kind.POSTGRES, dirA);
    Map<String, String> env = Map.of("REDIS_URL", redisUrl, "CHATROOM_REDIS_PREFIX", prefix);
    nodeA = TestServer.start(dirA, db, env);
    nodeB = TestServer.start(dirB, db, env);
    // what `chatroom user` opens: the database, and Redis with the nodes' prefix
    database = Database.open(cli, db.url(), db.schema());
    nodes = new RedisSharedCache(cli, Redis.createClient(cli, redisUrl), prefix);
  }

  @AfterEach
  void stop() {
    if (nodeA != null) {
      nodeA.close();
    }
    if (nodeB != null) {
      nodeB.close();
    }
    if (database != null) {
      database.close();
    }
    cli.close();
  }

  @Test
  void demoteTakesTheAdminApiAndTheOpsRoomAwayOnEveryNodeAtOnce() throws Exception {
    Http.Account carol = nodeA.http().register("carol");
    assertThat(nodeB.http().get("/api/admin/monitor/current", carol.token()).status()).as("not yet").isEqualTo(403);
    assertThat(UserCommand.setAdmin(database, nodes, "carol", true)).isTrue();
    within(AT_ONCE, () -> nodeB.http().get("/api/admin/monitor/current", carol.token()).status() == 200);

    for (TestServer node : List.of(nodeA, nodeB)) {
      Http http = node.http();
      assertThat(http.get("/api/admin/monitor/current", carol.token()).status()).isEqualTo(200);
      assertThat(http.get("/api/rooms/ops/messages", carol.token()).status()).isEqualTo(200);
      assertThat(http.get("/api/rooms/ops/messages", carol.token()).status()).isEqualTo(200);
      try (WsClient ws = WsClient.connect(node.port(), carol.token())) {
        assertThat(ws.join("ops").path("type").asText()).isEqualTo("ok");
      }
    }
    // the rights now come from the nodes' memory, which is what a demotion has to reach
    assertThat(localHits(nodeA, "memberships")).isGreaterThanOrEqualTo(2);
    assertThat(localHits(nodeB, "admin_flags")).isGreaterThanOrEqualTo(1);

    assertThat(UserCommand.setAdmin(database, nodes, "carol", false)).isTrue();
    for (TestServer node : List.of(nodeA, nodeB)) {
      Http http = node.http();
      within(AT_ONCE, () -> http.get("/api/admin/monitor/current", carol.token()).status() == 403);
      within(AT_ONCE, () -> http.get("/api/rooms/ops/messages", carol.token()).status() == 403);
      try (WsClient ws = WsClient.connect(node.port(), carol.token())) {
        assertThat(ws.join("ops").path("code").asText()).isEqualTo("forbidden");
      }
    }
  }

  private static double localHits(TestServer node, String cache) {
    return node.node().metrics().registry().get("chatroom.cache.requests")
        .tags("cache", cache, "level", "local", "result", "hit").counter().count();
  }

  private static void within(Duration limit, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + limit.toMillis() + " ms");
      }
      Thread.sleep(20);
    }
  }
}
