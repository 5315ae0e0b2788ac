package io.chatroom.broker;

import static io.chatroom.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.chatroom.testing.Await;
import io.chatroom.testing.TestRedis;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two nodes' brokers over a real Redis: events cross, none is doubled, and a dropped link asks for a resync. */
class RedisBrokerTest {
  final Vertx nodeA = Vertx.vertx();
  final Vertx nodeB = Vertx.vertx();
  RedisBroker brokerA;
  RedisBroker brokerB;
  Redis admin;

  @BeforeEach
  void connect() throws Exception {
    String url = TestRedis.url();
    String prefix = TestRedis.uniquePrefix();
    brokerA = await(RedisBroker.connect(nodeA, Redis.createClient(nodeA, url), prefix));
    brokerB = await(RedisBroker.connect(nodeB, Redis.createClient(nodeB, url), prefix));
    admin = Redis.createClient(nodeA, url);
  }

  @AfterEach
  void close() {
    nodeA.close();
    nodeB.close();
  }

  /** Subscribes on a context of {@code vertx}, as a connection does from its event loop. */
  private static Recorder subscribe(Vertx vertx, Broker broker, String room) throws Exception {
    Recorder recorder = new Recorder();
    CompletableFuture<Void> done = new CompletableFuture<>();
    vertx.runOnContext(v -> {
      broker.subscribe(room, recorder);
      done.complete(null);
    });
    done.get(5, TimeUnit.SECONDS);
    return recorder;
  }

  static final class Recorder implements Broker.Subscriber {
    final List<RoomEvent> events = new CopyOnWriteArrayList<>();
    final AtomicInteger resyncs = new AtomicInteger();

    @Override
    public void onEvent(RoomEvent event) {
      events.add(event);
    }

    @Override
    public void onResync() {
      resyncs.incrementAndGet();
    }
  }

  private static RoomEvent event(String room, long seq, String skip, String json) {
    return new RoomEvent(room, seq, skip, json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void eventsReachEveryNodeOnceWithTheirBytesAndInOrder() throws Exception {
    Recorder onA = subscribe(nodeA, brokerA, "general");
    Recorder onB = subscribe(nodeB, brokerB, "general");
    Recorder elsewhere = subscribe(nodeB, brokerB, "random");
    for (int seq = 1; seq <= 100; seq++) {
      brokerA.publish(event("general", seq, null, "{\"seq\":" + seq + ",\"text\":\"héllo\\n\"}"));
    }
    brokerA.publish(event("general", 0, "alice", "{\"type\":\"typing\"}"));
    Await.until(() -> onB.events.size() == 101);
    assertThat(onB.events.subList(0, 100)).extracting(RoomEvent::seq)
        .containsExactlyElementsOf(LongStream.rangeClosed(1, 100).boxed().toList());
    assertThat(new String(onB.events.get(0).json(), StandardCharsets.UTF_8)).isEqualTo("{\"seq\":1,\"text\":\"héllo\\n\"}");
    assertThat(onB.events.get(100).skipUser()).isEqualTo("alice");
    assertThat(onB.events.get(100).seq()).isZero();
    Thread.sleep(200); // anything doubled through Redis would have arrived by now
    assertThat(onA.events).as("the publishing node delivers its own events once, not again from Redis").hasSize(101);
    assertThat(elsewhere.events).isEmpty();
  }

  @Test
  void aDroppedSubscriberLinkComesBackAndAsksForAResync() throws Exception {
    Recorder onB = subscribe(nodeB, brokerB, "general");
    await(admin.send(Request.cmd(Command.CLIENT).arg("KILL").arg("TYPE").arg("pubsub")));
    Await.until(() -> onB.resyncs.get() >= 1);
    brokerA.publish(event("general", 1, null, "{}"));
    Await.until(() -> onB.events.size() == 1);
  }
}
