package io.chatroom.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatroom.testing.Await;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The single-node broker: events arrive in publish order, on each subscriber's own context; membership changes take effect at once. */
class LocalBrokerTest {
  final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
  final LocalBroker broker = new LocalBroker();

  @AfterEach
  void close() {
    vertx.close();
  }

  /** Records the events it gets and whether each arrived on the context it subscribed from. */
  static final class Recorder implements Broker.Subscriber {
    final List<Long> seqs = new CopyOnWriteArrayList<>();
    final List<Boolean> onItsContext = new CopyOnWriteArrayList<>();
    volatile Context context;
    volatile Broker.Subscription subscription;
    volatile long cancelAt = -1;

    @Override
    public void onEvent(RoomEvent event) {
      seqs.add(event.seq());
      onItsContext.add(Vertx.currentContext() == context);
      if (event.seq() == cancelAt) {
        subscription.cancel();
      }
    }
  }

  Recorder subscribe(String room) throws Exception {
    Recorder recorder = new Recorder();
    Context context = vertx.getOrCreateContext();
    CompletableFuture<Void> done = new CompletableFuture<>();
    context.runOnContext(v -> {
      recorder.context = Vertx.currentContext();
      recorder.subscription = broker.subscribe(room, recorder);
      done.complete(null);
    });
    done.get(5, TimeUnit.SECONDS);
    return recorder;
  }

  static RoomEvent event(String room, long seq) {
    return new RoomEvent(room, seq, null, ("{\"seq\":" + seq + "}").getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void eventsReachEverySubscriberOfTheirRoomInOrderOnItsOwnContext() throws Exception {
    Recorder first = subscribe("general");
    Recorder second = subscribe("general"); // contexts from outside Vert.x take the event loops in turn
    Recorder elsewhere = subscribe("random");
    for (RoomEvent e : List.of(event("general", 1), event("random", 1), event("general", 2), event("general", 3), event("general", 4))) {
      broker.publish(e);
    }

    Await.until(() -> first.seqs.size() == 4 && second.seqs.size() == 4 && elsewhere.seqs.size() == 1);
    assertThat(first.seqs).containsExactly(1L, 2L, 3L, 4L);
    assertThat(second.seqs).containsExactly(1L, 2L, 3L, 4L);
    assertThat(elsewhere.seqs).containsExactly(1L);
    assertThat(first.onItsContext).containsOnly(true);
    assertThat(second.onItsContext).containsOnly(true);
  }

  @Test
  void aSubscriberThatCancelsWhileBeingDeliveredToGetsNothingAfter() throws Exception {
    Recorder leaving = subscribe("general");
    leaving.cancelAt = 2;
    Recorder staying = subscribe("general");
    for (long seq = 1; seq <= 3; seq++) {
      broker.publish(event("general", seq));
    }

    Await.until(() -> staying.seqs.size() == 3);
    broker.publish(event("general", 4));
    Await.until(() -> staying.seqs.size() == 4);
    assertThat(leaving.seqs).containsExactly(1L, 2L);
  }

  @Test
  void aSubscriberWhoJoinsBetweenTwoEventsGetsTheSecond() throws Exception {
    Recorder early = subscribe("general");
    broker.publish(event("general", 1));
    Await.until(() -> early.seqs.size() == 1);
    Recorder late = subscribe("general");
    broker.publish(event("general", 2));

    Await.until(() -> early.seqs.size() == 2 && late.seqs.size() == 1);
    assertThat(late.seqs).containsExactly(2L);
  }
}
