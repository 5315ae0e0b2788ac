package io.chatroom.bench;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Sends at a set total rate from a group of clients: each event loop ticks every {@value #TICK_MS} ms and sends
 * whatever its share of the rate says is due since the rate was set, round-robin over its clients. An open
 * loop: it does not wait for the server, so a slow server shows up as latency and backlog, not as a lower rate.
 */
final class Pacer {
  static final long TICK_MS = 5;

  private final Vertx vertx;
  private final Map<Context, List<BenchClient>> byLoop;
  private final Function<BenchClient, String> roomOf;
  private final int senders;
  private volatile Schedule schedule = new Schedule(0, System.nanoTime());
  private volatile boolean stopped;

  private record Schedule(double msgsPerSec, long sinceNanos) {}

  Pacer(Vertx vertx, Map<Context, List<BenchClient>> byLoop, Function<BenchClient, String> roomOf, int senders) {
    this.vertx = vertx;
    this.byLoop = byLoop;
    this.roomOf = roomOf;
    this.senders = senders;
    byLoop.forEach((context, clients) -> context.runOnContext(v -> new Loop(clients).start()));
  }

  /** Changes the total rate from now on. */
  void rate(double msgsPerSec) {
    schedule = new Schedule(msgsPerSec, System.nanoTime());
  }

  void stop() {
    stopped = true;
  }

  private final class Loop {
    private final List<BenchClient> clients;
    private final double share;
    private Schedule current;
    private long sentUnderCurrent;
    private int next;

    Loop(List<BenchClient> clients) {
      this.clients = clients;
      this.share = clients.size() / (double) senders;
    }

    void start() {
      vertx.setPeriodic(TICK_MS, id -> {
        if (stopped) {
          vertx.cancelTimer(id);
          return;
        }
        tick();
      });
    }

    private void tick() {
      Schedule s = schedule;
      if (s != current) {
        current = s;
        sentUnderCurrent = 0;
      }
      double elapsedSeconds = (System.nanoTime() - s.sinceNanos()) / 1e9;
      long due = (long) (s.msgsPerSec() * share * elapsedSeconds) - sentUnderCurrent;
      for (long i = 0; i < due; i++) {
        BenchClient client = clients.get(next);
        next = (next + 1) % clients.size();
        if (client.connected()) {
          client.send(roomOf.apply(client));
        }
        sentUnderCurrent++;
      }
    }
  }
}
