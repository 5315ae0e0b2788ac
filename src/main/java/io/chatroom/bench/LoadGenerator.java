package io.chatroom.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * The clients of one run, spread over the load generator's event loops, and the blocking steps scenarios are
 * written in: connect, join, pace sends, drain, check. Each client lives on one event loop; everything that
 * touches it runs there.
 */
final class LoadGenerator implements AutoCloseable {
  /** Connections opening at once; more only overflows the server's accept queue and adds retransmit delays. */
  static final int CONNECT_CONCURRENCY = 256;

  private final ServerUnderTest server;
  private final Vertx vertx;
  private final WebSocketClient sockets;
  private final List<Context> loops = new ArrayList<>();
  private final Tally tally = new Tally();
  private final int messageBytes;
  private final List<BenchClient> clients = new ArrayList<>();

  /** Deliveries that should have arrived but did not, and sends never acknowledged. */
  record Loss(long missingDeliveries, long unacknowledged) {
    long lost() {
      return missingDeliveries + unacknowledged;
    }
  }

  LoadGenerator(ServerUnderTest server, int eventLoops, int messageBytes) {
    this.server = server;
    this.messageBytes = messageBytes;
    this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(eventLoops));
    this.sockets = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(Integer.MAX_VALUE)
        .setConnectTimeout(30_000).setTrustAll(true).setVerifyHost(false).setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 22));
    for (int i = 0; i < eventLoops; i++) {
      loops.add(vertx.getOrCreateContext());
    }
  }

  Tally tally() {
    return tally;
  }

  List<BenchClient> clients() {
    return clients;
  }

  /** Creates clients {@code from} to {@code from + count - 1} and connects them; fails if any cannot connect. */
  List<BenchClient> connect(int from, int count, Duration timeout) throws InterruptedException {
    List<BenchClient> created = new ArrayList<>();
    for (int i = from; i < from + count; i++) {
      created.add(new BenchClient(i, server.identity(i), server.dialect(), tally, loops.get(i % loops.size()), messageBytes));
    }
    clients.addAll(created);
    reconnect(created, CONNECT_CONCURRENCY, timeout);
    return created;
  }

  /** (Re)connects {@code some}, {@code concurrency} at a time; blocks until all are ready. */
  void reconnect(List<BenchClient> some, int concurrency, Duration timeout) throws InterruptedException {
    open(some, concurrency, timeout, "connecting", client -> Future.succeededFuture());
  }

  /** Joins each client to {@code roomOf(client)}; blocks until every join is answered. */
  void join(List<BenchClient> some, Function<BenchClient, List<String>> roomsOf, Duration timeout) throws InterruptedException {
    List<Future<Long>> all = new ArrayList<>();
    for (BenchClient client : some) {
      for (String room : roomsOf.apply(client)) {
        Promise<Long> joined = Promise.promise();
        client.context().runOnContext(v -> client.join(room, 0).onComplete(joined));
        all.add(joined.future());
      }
    }
    await(Future.join(all), System.nanoTime() + timeout.toNanos(), "joining " + all.size() + " rooms");
  }

  /**
   * Reconnects {@code some}, {@code concurrency} at a time, each rejoining its rooms after the last seq it has,
   * as a real client resumes; blocks until every join is answered, which is when its missed messages have been
   * replayed.
   */
  void resume(List<BenchClient> some, int concurrency, Duration timeout) throws InterruptedException {
    open(some, concurrency, timeout, "resuming", client -> {
      List<Future<Long>> joins = new ArrayList<>();
      for (Map.Entry<String, BenchClient.RoomState> room : client.rooms().entrySet()) {
        joins.add(client.join(room.getKey(), room.getValue().lastSeq));
      }
      return Future.join(joins).mapEmpty();
    });
  }

  /**
   * Connects each of {@code some} on its event loop, then runs {@code afterReady} there, with at most
   * {@code concurrency} clients between the two at once; blocks until all are done.
   */
  private void open(List<BenchClient> some, int concurrency, Duration timeout, String what,
      Function<BenchClient, Future<Void>> afterReady) throws InterruptedException {
    WebSocketConnectOptions options = connectOptions();
    Semaphore slots = new Semaphore(concurrency);
    List<Future<Void>> all = new ArrayList<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    for (BenchClient client : some) {
      if (!slots.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        throw new IllegalStateException(what + " timed out after " + timeout.toSeconds() + " s");
      }
      Promise<Void> done = Promise.promise();
      client.context().runOnContext(v -> client.connect(sockets, options).compose(ready -> afterReady.apply(client)).onComplete(done));
      done.future().onComplete(ar -> slots.release());
      all.add(done.future());
    }
    await(Future.join(all), deadline, what + " " + some.size() + " clients");
  }

  /**
   * Starts sending from {@code senders} at {@code msgsPerSec} in total, round-robin, each event loop pacing its
   * own share every few milliseconds; {@code roomOf} picks each sender's room.
   */
  Pacer pace(List<BenchClient> senders, Function<BenchClient, String> roomOf, double msgsPerSec) {
    Map<Context, List<BenchClient>> byLoop = new HashMap<>();
    for (BenchClient sender : senders) {
      byLoop.computeIfAbsent(sender.context(), c -> new ArrayList<>()).add(sender);
    }
    Pacer pacer = new Pacer(vertx, byLoop, roomOf, senders.size());
    pacer.rate(msgsPerSec);
    return pacer;
  }

  /** Waits until {@code expected} unique deliveries have arrived in total, or {@code timeout}; returns how many did. */
  long awaitDelivered(long expected, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (tally.delivered.sum() < expected && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    return tally.delivered.sum();
  }

  /** Waits until every send was acknowledged, or {@code timeout}. */
  void awaitAcked(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (tally.acked.sum() < tally.sent.sum() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
  }

  /**
   * Counts what is missing: in every room, the highest seq any client saw or was acked is what every member
   * should have had since it joined.
   */
  Loss loss() throws InterruptedException {
    Map<String, Long> highest = new HashMap<>();
    List<BenchClient.RoomState> states = new ArrayList<>();
    List<String> names = new ArrayList<>();
    onEveryLoop(client -> {
      synchronized (highest) {
        client.rooms().forEach((room, state) -> {
          highest.merge(room, Math.max(state.lastSeq, state.ackedSeq), Math::max);
          states.add(state);
          names.add(room);
        });
      }
    });
    long missing = 0;
    for (int i = 0; i < states.size(); i++) {
      BenchClient.RoomState state = states.get(i);
      missing += highest.get(names.get(i)) - state.since - state.unique;
    }
    return new Loss(missing, Math.max(0, tally.sent.sum() - tally.acked.sum()));
  }

  /** Runs {@code action} for every client on its own event loop, and waits. */
  void onEveryLoop(java.util.function.Consumer<BenchClient> action) throws InterruptedException {
    List<Future<Void>> all = new ArrayList<>();
    for (BenchClient client : clients) {
      Promise<Void> done = Promise.promise();
      client.context().runOnContext(v -> {
        action.accept(client);
        done.complete();
      });
      all.add(done.future());
    }
    await(Future.join(all), System.nanoTime() + Duration.ofSeconds(60).toNanos(), "visiting the clients");
  }

  /** Drops every connection of {@code some} (the clients keep their rooms, to resume). */
  void drop(List<BenchClient> some) throws InterruptedException {
    List<Future<Void>> all = new ArrayList<>();
    for (BenchClient client : some) {
      Promise<Void> done = Promise.promise();
      client.context().runOnContext(v -> client.close().onComplete(ar -> done.complete()));
      all.add(done.future());
    }
    await(Future.join(all), System.nanoTime() + Duration.ofSeconds(60).toNanos(), "closing connections");
  }

  private WebSocketConnectOptions connectOptions() {
    URI base = server.webSocketBase();
    boolean tls = "wss".equals(base.getScheme());
    int port = base.getPort() > 0 ? base.getPort() : tls ? 443 : 80;
    return new WebSocketConnectOptions().setHost(base.getHost()).setPort(port).setSsl(tls).setURI(server.dialect().path());
  }

  static <T> T await(Future<T> future, long deadlineNanos, String what) throws InterruptedException {
    try {
      return future.toCompletionStage().toCompletableFuture().get(Math.max(1, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException(what + " failed: " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException(what + " timed out");
    }
  }

  @Override
  public void close() {
    try {
      drop(clients);
    } catch (InterruptedException | RuntimeException e) {
      // closing anyway
    }
    vertx.close().toCompletionStage().toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).exceptionally(e -> null).join();
  }
}
