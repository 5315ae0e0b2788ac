package io.chatroom.backup;

import com.fasterxml.jackson.databind.JsonNode;
import io.chatroom.testing.Await;
import io.chatroom.testing.Http;
import io.chatroom.testing.TestServer;
import io.chatroom.testing.WsClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Clients that keep sending into one room, each from its own thread and over its own WebSocket, every send
 * with a clientMsgId and awaited until acked. What was acked, and when, is what a backup must hold.
 */
final class Traffic implements AutoCloseable {
  /** One acknowledged message; {@code ackedAt} is System.nanoTime() right after the ack arrived. */
  record Ack(String clientMsgId, String text, long seq, long ackedAt) {}

  private final ConcurrentLinkedQueue<Ack> acks = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final List<Thread> threads = new ArrayList<>();
  private final List<WsClient> clients = new ArrayList<>();

  private Traffic() {}

  static Traffic start(TestServer server, int senders, String room) {
    Traffic t = new Traffic();
    Http http = server.http();
    for (int i = 0; i < senders; i++) {
      Http.Account account = http.register("sender" + i);
      WsClient client = WsClient.connect(server.port(), account.token());
      JsonNode joined = client.join(room);
      if (!"ok".equals(joined.path("type").asText())) {
        throw new AssertionError("join failed: " + joined);
      }
      t.clients.add(client);
      String name = account.username();
      Thread thread = new Thread(() -> t.sendUntilStopped(client, name, room), "traffic-" + name);
      t.threads.add(thread);
    }
    t.threads.forEach(Thread::start);
    return t;
  }

  private void sendUntilStopped(WsClient client, String name, String room) {
    try {
      for (int n = 1; !stop.get(); n++) {
        String id = name + "-" + n;
        String text = "message " + n + " from " + name;
        JsonNode reply = client.send(room, text, id);
        if (!"ok".equals(reply.path("type").asText())) {
          throw new AssertionError("send " + id + " was not acked: " + reply);
        }
        acks.add(new Ack(id, text, reply.path("seq").asLong(), System.nanoTime()));
      }
    } catch (Throwable e) {
      failure.compareAndSet(null, e);
    }
  }

  /** Waits until at least {@code n} sends were acked in all. */
  void awaitAcks(int n) {
    Await.until(() -> acks.size() >= n || failure.get() != null);
    rethrow();
  }

  /** Every ack so far. */
  List<Ack> acked() {
    return List.copyOf(acks);
  }

  /** Stops the senders, waits for them, closes the sockets, and fails if any sender failed. */
  @Override
  public void close() throws InterruptedException {
    if (stop.getAndSet(true)) {
      return;
    }
    for (Thread thread : threads) {
      thread.join(30_000);
    }
    clients.forEach(WsClient::close);
    rethrow();
  }

  private void rethrow() {
    Throwable e = failure.get();
    if (e != null) {
      throw new AssertionError("a sender failed", e);
    }
  }
}
