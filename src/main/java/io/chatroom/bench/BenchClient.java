package io.chatroom.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One connection of the load generator. It is deliberately lean (a bench holds tens of thousands): per room
 * it keeps the last seq and counts, not the messages. A delivered seq at or below the last one is a duplicate;
 * the loss check compares what arrived with the rooms' final seqs afterwards. Every method must be called on
 * {@link #context()}.
 */
final class BenchClient {
  private final int index;
  private final Identity identity;
  private final Dialect dialect;
  private final Tally tally;
  private final Context context;
  private final String filler;
  private final Map<Long, Request> requests = new HashMap<>();
  private final Map<String, RoomState> rooms = new LinkedHashMap<>(2);
  private WebSocket socket;
  private Promise<Void> ready;
  private long nextId;
  private long nextMessage;
  private Runnable onAck = () -> {};

  /** Where this client stands in one room; {@code since} is the seq it first joined after. */
  static final class RoomState {
    final long since;
    long lastSeq;
    long unique;
    /** The highest seq the server acknowledged for this client's own sends. */
    long ackedSeq;

    RoomState(long since) {
      this.since = since;
      this.lastSeq = since;
    }
  }

  private record Request(String room, long sentNanos, Promise<Long> joined) {}

  BenchClient(int index, Identity identity, Dialect dialect, Tally tally, Context context, int messageBytes) {
    this.index = index;
    this.identity = identity;
    this.dialect = dialect;
    this.tally = tally;
    this.context = context;
    this.filler = "x".repeat(Math.max(0, messageBytes - 20));
  }

  Context context() {
    return context;
  }

  int index() {
    return index;
  }

  Map<String, RoomState> rooms() {
    return rooms;
  }

  boolean connected() {
    return socket != null;
  }

  /** Runs after each of this client's sends is acknowledged (closed-loop senders send the next one). */
  void onAck(Runnable action) {
    this.onAck = action;
  }

  /** Opens the socket and authenticates; completes when the server says the session is ready. */
  Future<Void> connect(WebSocketClient client, WebSocketConnectOptions options) {
    ready = Promise.promise();
    Promise<Void> current = ready;
    client.connect(options).onComplete(ar -> {
      if (ar.failed()) {
        current.tryFail(ar.cause());
        return;
      }
      WebSocket ws = ar.result();
      socket = ws;
      ws.textMessageHandler(this::receive);
      ws.closeHandler(v -> closed(ws));
      ws.exceptionHandler(e -> {});
      ws.writeTextMessage(dialect.hello(identity.username(), identity.token()));
    });
    return current.future();
  }

  /** Subscribes to {@code room} after {@code since} (the last seq seen, when rejoining); completes with the room's last seq. */
  Future<Long> join(String room, long since) {
    rooms.putIfAbsent(room, new RoomState(since));
    Promise<Long> joined = Promise.promise();
    long id = ++nextId;
    requests.put(id, new Request(room, System.nanoTime(), joined));
    write(dialect.join(id, room, rooms.get(room).lastSeq));
    return joined.future();
  }

  /** Sends one message whose text carries its send time, so receivers can measure the latency. */
  void send(String room) {
    long now = System.nanoTime();
    long id = ++nextId;
    requests.put(id, new Request(room, now, null));
    tally.sent.increment();
    write(dialect.send(id, room, now + "|" + filler, "b" + index + "-" + (++nextMessage)));
  }

  /** Drops the connection; the client keeps its rooms' state, so joining again resumes. */
  Future<Void> close() {
    WebSocket ws = socket;
    socket = null;
    requests.clear();
    return ws == null ? Future.succeededFuture() : ws.close();
  }

  private void write(String frame) {
    if (socket != null) {
      socket.writeTextMessage(frame);
    }
  }

  private void receive(String text) {
    Frame frame = dialect.decode(text);
    switch (frame.kind()) {
      case MESSAGE -> delivered(frame);
      case OK -> answered(frame);
      case READY -> ready.tryComplete();
      case PING -> write(dialect.pong());
      case ERROR -> failed(frame);
      case OTHER -> {}
    }
  }

  private void delivered(Frame frame) {
    RoomState room = rooms.get(frame.room());
    if (room == null) {
      return;
    }
    if (frame.seq() <= room.lastSeq) {
      tally.duplicates.increment();
      return;
    }
    room.lastSeq = frame.seq();
    room.unique++;
    tally.delivery(System.nanoTime() - sentNanos(frame.text()));
  }

  private void answered(Frame frame) {
    Request request = requests.remove(frame.id());
    if (request == null) {
      return;
    }
    if (request.joined() != null) {
      request.joined().complete(frame.seq());
    } else {
      tally.ack(System.nanoTime() - request.sentNanos());
      RoomState room = rooms.get(request.room());
      if (room != null) {
        room.ackedSeq = Math.max(room.ackedSeq, frame.seq());
      }
      onAck.run();
    }
  }

  private void failed(Frame frame) {
    tally.error(identity.username() + ": " + frame.code());
    Request request = frame.id() < 0 ? null : requests.remove(frame.id());
    if (request != null && request.joined() != null) {
      request.joined().fail("join " + request.room() + " refused: " + frame.code());
    }
    if (frame.id() < 0 && ready != null) {
      ready.tryFail("session refused: " + frame.code());
    }
  }

  private void closed(WebSocket ws) {
    if (socket == ws) {
      socket = null;
      if (ready != null) {
        ready.tryFail("connection closed by the server");
      }
    }
  }

  /** The send time a message's text starts with, up to '|'. */
  static long sentNanos(String text) {
    return Long.parseLong(text, 0, text.indexOf('|'), 10);
  }
}
