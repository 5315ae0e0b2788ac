package io.chatroom.jmh;

import io.chatroom.broker.Broker;
import io.chatroom.broker.LocalBroker;
import io.chatroom.broker.RoomEvent;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Publishing one message to a room of {@code roomSize} while {@code otherConnections} connections on the same
 * event loops subscribe to other rooms, as with 2,000 clients in rooms of 10. Before the fix the cost grew with
 * all connections of the node; it must grow only with the room.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class FanOutBenchmark {
  @Param({"10"})
  int roomSize;

  @Param({"0", "2000"})
  int otherConnections;

  private Vertx vertx;
  private final LocalBroker broker = new LocalBroker();
  private final AtomicLong received = new AtomicLong();
  private long seq;

  @Setup(Level.Trial)
  public void subscribe() throws InterruptedException {
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    int connections = roomSize + otherConnections;
    CountDownLatch subscribed = new CountDownLatch(connections);
    for (int i = 0; i < connections; i++) {
      // each WebSocket has a context of its own, as in the server
      Context context = vertx.getOrCreateContext();
      String room = i < roomSize ? "hot" : "room-" + i / 10;
      context.runOnContext(v -> {
        broker.subscribe(room, new Broker.Subscriber() {
          @Override
          public void onEvent(RoomEvent event) {
            received.incrementAndGet();
          }

          @Override
          public void onResync() {}
        });
        subscribed.countDown();
      });
    }
    subscribed.await(30, TimeUnit.SECONDS);
  }

  @TearDown(Level.Trial)
  public void close() {
    vertx.close();
  }

  /** Publishes one message and waits until every member of the room has had it. */
  @Benchmark
  public long publishToOneRoom() {
    long target = received.get() + roomSize;
    broker.publish(new RoomEvent("hot", ++seq, null, new byte[0]));
    while (received.get() < target) {
      Thread.onSpinWait();
    }
    return target;
  }
}
