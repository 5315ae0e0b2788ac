package io.chatroom.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.chatroom.account.AccountAdmin;
import io.chatroom.audit.AuditLog;
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
import java.io.PrintWriter;
import java.io.StringWriter;
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
 * Two nodes that share PostgreSQL and Redis, and the CLI beside them: disabling a user and deleting a room
 * take effect on both nodes at once, not when their cached copies expire.
 */
class DisableAcrossNodesTest {
  /**
   * Below the session status cache's shortest lifetime (5 s - 20 %) counted from a load made just before the
   * change, minus the 2 s between session checks: passing within it means the nodes were told.
   */
  static final Duration AT_ONCE = Duration.ofMillis(1_500);

  @TempDir
  Path dirA;
  @TempDir
  Path dirB;
  TestServer nodeA;
  TestServer nodeB;
  final Vertx cli = Vertx.vertx();
  Database database;
  Redis redis;
  SharedCache nodes;
  String prefix;
  final StringWriter warnings = new StringWriter();

  @BeforeEach
  void start() {
    String redisUrl = TestRedis.url();
    prefix = TestRedis.uniquePrefix();
    TestDatabases.Isolated db = TestDatabases.create(TestDatabases.Kind.POSTGRES, dirA);
    Map<String, String> env = Map.of("REDIS_URL", redisUrl, "CHATROOM_REDIS_PREFIX", prefix);
    nodeA = TestServer.start(dirA, db, env);
    nodeB = TestServer.start(dirB, db, env);
    // what `chatroom user` and `chatroom room` open: the database, and Redis with the nodes' prefix
    database = Database.open(cli, db.url(), db.schema());
    redis = Redis.createClient(cli, redisUrl);
    nodes = new RedisSharedCache(cli, redis, prefix);
  }

  @AfterEach
  void stop() {
    for (TestServer node : new TestServer[] {nodeA, nodeB}) {
      if (node != null) {
        node.close();
      }
    }
    if (database != null) {
      database.close();
    }
    cli.close();
  }

  @Test
  void disableSignsTheUserOutOnEveryNodeAtOnce() throws Exception {
    Http.Account alice = nodeA.http().register("alice");
    try (WsClient onA = WsClient.connect(nodeA.port(), alice.token()); WsClient onB = WsClient.connect(nodeB.port(), alice.token())) {
      onA.join("general");
      onB.join("general");
      for (TestServer node : List.of(nodeA, nodeB)) {
        // a sign-in makes the node forget the user's status; the request after it loads it afresh, so
        // that copy lives at least 4 s more: a refusal sooner can only come from the announcement
        assertThat(node.http().post("/api/auth/login", null, Map.of("username", "alice", "password", "password-alice")).status())
            .isEqualTo(200);
        assertThat(node.http().get("/api/rooms", alice.token()).status()).isEqualTo(200);
      }

      assertThat(UserCommand.changeSessions(database, nodes, "alice", AuditLog.Action.USER_DISABLE,
          c -> AccountAdmin.disable(c, "alice", System.currentTimeMillis()), new PrintWriter(warnings, true))).isPresent();

      long told = System.nanoTime();
      for (TestServer node : List.of(nodeA, nodeB)) {
        within(AT_ONCE, told, () -> node.http().get("/api/rooms", alice.token()).status() == 401);
      }
      for (WsClient ws : List.of(onA, onB)) {
        JsonNode ended = ws.next("error");
        assertThat(ended.path("code").asText()).isEqualTo("unauthorized");
        assertThat(ws.awaitClose()).isEqualTo(1008);
      }
      assertThat(Duration.ofNanos(System.nanoTime() - told)).as("both live sessions ended within one session check")
          .isLessThan(AT_ONCE.plusSeconds(2));
    }
    assertThat(warnings.toString()).isEmpty();
  }

  @Test
  void roomDeleteTakesTheRoomAwayOnEveryNodeAtOnce() throws Exception {
    Http.Account alice = nodeA.http().register("alice");
    Http.Account bob = nodeB.http().register("bob");
    try (WsClient a = WsClient.connect(nodeA.port(), alice.token()); WsClient b = WsClient.connect(nodeB.port(), bob.token())) {
      a.join("plans");
      b.join("plans");
      a.send("plans", "hello", "m1");
      // node B now caches the room's identity (for minutes): only the announcement can take it away
      assertThat(nodeB.http().get("/api/rooms/plans/messages", bob.token()).status()).isEqualTo(200);

      assertThat(RoomCommand.Delete.delete(database, redis, nodes, prefix, "plans", new PrintWriter(warnings, true))).isPresent();

      long told = System.nanoTime();
      assertThat(b.next("room_deleted").path("room").asText()).isEqualTo("plans");
      assertThat(a.next("room_deleted").path("room").asText()).isEqualTo("plans");
      within(AT_ONCE, told, () -> nodeB.http().get("/api/rooms/plans/messages", bob.token()).status() == 404);
      assertThat(b.join("plans").path("code").asText()).isEqualTo("room_not_found");
    }
    assertThat(warnings.toString()).isEmpty();
  }

  private static void within(Duration limit, long sinceNanos, BooleanSupplier condition) throws InterruptedException {
    long deadline = sinceNanos + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + limit.toMillis() + " ms");
      }
      Thread.sleep(20);
    }
  }
}
