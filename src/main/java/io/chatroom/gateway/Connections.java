package io.chatroom.gateway;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The node's open WebSocket sessions, so a shutdown can send each one away politely. */
public final class Connections {
  private final Set<Connection> open = ConcurrentHashMap.newKeySet();

  void add(Connection c) {
    open.add(c);
  }

  void remove(Connection c) {
    open.remove(c);
  }

  public int size() {
    return open.size();
  }

  /**
   * Sends every session a {@code reconnect} and closes it with 1012, each on its own event loop, and
   * completes when all are closed or {@code timeoutMs} has passed.
   */
  public Future<Void> sendAllAway(Vertx vertx, long timeoutMs) {
    for (Connection c : List.copyOf(open)) {
      c.context().runOnContext(v -> c.sendAway());
    }
    Promise<Void> done = Promise.promise();
    long deadline = System.currentTimeMillis() + timeoutMs;
    vertx.setPeriodic(20, id -> {
      if (open.isEmpty() || System.currentTimeMillis() > deadline) {
        vertx.cancelTimer(id);
        done.tryComplete();
      }
    });
    return done.future();
  }
}
