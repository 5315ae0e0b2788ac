package io.chatroom.presence;

import static io.chatroom.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.chatroom.testing.RedisSession;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The contract on a real Redis, plus what only a shared store has: several nodes, and expiry of a dead node's users. */
class RedisPresenceStoreTest extends PresenceStoreContract {
  @RegisterExtension
  final RedisSession redis = new RedisSession();

  @Override
  PresenceStore store() {
    return new RedisPresenceStore(redis.client(), redis.prefix(), 30_000);
  }

  @Test
  void nodesSeeOneAnothersConnections() throws Exception {
    PresenceStore nodeA = store();
    PresenceStore nodeB = store();
    assertThat(await(nodeA.join("general", "alice", "a1"))).isTrue();
    assertThat(await(nodeB.join("general", "alice", "b1"))).as("online already, through the other node").isFalse();
    assertThat(await(nodeB.online("general"))).containsExactly("alice");
    await(nodeA.announced("general", "alice"));
    assertThat(await(nodeA.leave("general", "alice", "a1"))).isEqualTo(PresenceStore.Departure.STILL_THERE);
    assertThat(await(nodeB.leave("general", "alice", "b1"))).as("announced through the other node").isEqualTo(PresenceStore.Departure.GONE);
  }

  @Test
  void aDeadNodesUsersExpireAndAreReportedOfflineOnce() throws Exception {
    RedisPresenceStore dying = new RedisPresenceStore(redis.client(), redis.prefix(), 200);
    RedisPresenceStore alive = new RedisPresenceStore(redis.client(), redis.prefix(), 30_000);
    await(dying.join("general", "alice", "a1"));
    await(dying.announced("general", "alice"));
    await(dying.join("general", "dave", "d1")); // arrived while the room was crowded: leaves silently too
    await(alive.join("general", "bob", "b1"));
    await(alive.join("general", "carol", "c1"));
    await(alive.announced("general", "carol"));
    await(dying.join("general", "carol", "c2")); // carol also has a tab on the surviving node
    Thread.sleep(300); // the dying node stops heartbeating
    await(alive.heartbeat());
    assertThat(await(alive.online("general"))).containsExactly("bob", "carol");
    List<RedisPresenceStore.Gone> reported = new ArrayList<>(await(alive.sweep()));
    reported.addAll(await(dying.sweep()));
    assertThat(reported).containsExactly(new RedisPresenceStore.Gone("general", "alice"));
  }

  @Test
  void heartbeatsKeepALiveNodesUsersOnline() throws Exception {
    RedisPresenceStore node = new RedisPresenceStore(redis.client(), redis.prefix(), 300);
    await(node.join("general", "alice", "a1"));
    for (int i = 0; i < 4; i++) {
      Thread.sleep(150);
      await(node.heartbeat());
    }
    assertThat(await(node.online("general"))).containsExactly("alice");
    assertThat(await(node.sweep())).isEmpty();
  }

  @Test
  void oneHeartbeatRebuildsWhatARedisRestartLost() throws Exception {
    RedisPresenceStore node = new RedisPresenceStore(redis.client(), redis.prefix(), 300);
    RedisPresenceStore other = new RedisPresenceStore(redis.client(), redis.prefix(), 30_000);
    await(node.join("general", "alice", "a1"));
    await(node.announced("general", "alice"));
    await(node.join("general", "bob", "b1")); // never announced, so never announced gone
    List<String> keys = new ArrayList<>();
    await(redis.client().send(Request.cmd(Command.KEYS).arg(redis.prefix() + ":*"))).forEach(k -> keys.add(k.toString()));
    for (String key : keys) {
      await(redis.client().send(Request.cmd(Command.DEL).arg(key))); // as an empty Redis after a restart
    }
    assertThat(await(other.online("general"))).isEmpty();

    await(node.heartbeat());
    assertThat(await(other.online("general"))).containsExactly("alice", "bob");
    Thread.sleep(400); // and the rebuilt entry is swept like any other once its node stops beating
    assertThat(await(other.sweep())).containsExactly(new RedisPresenceStore.Gone("general", "alice"));
  }
}
