package io.chatroom.loadgen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A chat client that keeps every promise a real one must keep, and records enough to check the server kept
 * its own: each send is retried with the same clientMsgId until it is acknowledged; after any disconnect it
 * reconnects (backing off, through whatever {@code uri} points at) and joins each room again with
 * {@code since} = the last seq it holds. Every delivery is checked on arrival: a seq at or below the last one
 * is a duplicate, one beyond the next is a gap. All state lives on one Vert.x context; read it with
 * {@link #snapshot}.
 */
public final class ResumingClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long ACK_TIMEOUT_MS = 10_000;
  private static final long MAX_BACKOFF_MS = 2_000;

  private final Vertx vertx;
  private final Context context;
  private final WebSocketClient sockets;
  private final URI uri;
  private final String username;
  private final String token;
  private final Map<String, RoomLog> rooms = new LinkedHashMap<>();
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private final Map<Long, Pending> inFlight = new HashMap<>();
  /** The outstanding joins by request id ("join:room"); sends are in {@link #inFlight}. */
  private final Map<Long, String> requests = new HashMap<>();
  private final Map<String, Ack> acks = new LinkedHashMap<>();
  private final int maxInFlight;

  private WebSocket socket;
  /** Bumped on every new connection, so callbacks of an old one are recognised and ignored. */
  private int generation;
  private boolean stopped;
  private long nextRequestId;
  private int nextMessage;
  private int failedAttempts;
  private long reconnects;
  private long resends;
  private long duplicateAcks;
  private long rateLimited;
  private String lastConnectFailure;
  private final List<String> problems = new ArrayList<>();

  /** What the server answered for one of our sends. */
  public record Ack(String room, String clientMsgId, long seq, boolean duplicate) {}

  /** One message as this client received it. */
  public record Delivery(long seq, String from, String clientMsgId, String text) {}

  /**
   * Everything the client saw, copied off its context. {@code deliveries} are per room in arrival order;
   * {@code online} is its current view of presence per room.
   */
  public record Snapshot(String username, boolean ready, int queued, int inFlight, long reconnects, long resends,
      long duplicateAcks, long rateLimited, Map<String, Ack> acks, Map<String, List<Delivery>> deliveries,
      Map<String, Long> duplicatesReceived, Map<String, Long> gapsReceived, Map<String, List<String>> online, List<String> problems, String lastConnectFailure) {
    public long delivered() {
      return deliveries.values().stream().mapToLong(List::size).sum();
    }
  }

  private static final class RoomLog {
    final String name;
    final List<Delivery> deliveries = new ArrayList<>();
    final TreeSet<String> online = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    long lastSeq;
    long duplicates;
    long gaps;
    /** The connection generation this room was last joined on; sends wait until it is the current one. */
    int joinedOn = -1;

    RoomLog(String name) {
      this.name = name;
    }
  }

  private static final class Pending {
    final int order;
    final String room;
    final String clientMsgId;
    final String text;
    int attempts;
    long timer = -1;

    Pending(int order, String room, String clientMsgId, String text) {
      this.order = order;
      this.room = room;
      this.clientMsgId = clientMsgId;
      this.text = text;
    }
  }

  /**
   * A client of {@code username} (already registered, holding {@code token}) for {@code roomNames};
   * {@link #start} connects it. {@code sockets} may be shared by many clients.
   */
  public ResumingClient(Vertx vertx, WebSocketClient sockets, URI uri, String username, String token, List<String> roomNames,
      int maxInFlight) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.sockets = sockets;
    this.uri = uri;
    this.username = username;
    this.token = token;
    this.maxInFlight = maxInFlight;
    for (String room : roomNames) {
      rooms.put(room, new RoomLog(room));
    }
  }

  public String username() {
    return username;
  }

  public void start() {
    context.runOnContext(v -> connect());
  }

  /** Queues a message; it goes out once its room is joined, and again until it is acknowledged. */
  public void send(String room, String text) {
    context.runOnContext(v -> {
      RoomLog log = rooms.get(room);
      if (log == null) {
        throw new IllegalArgumentException(username + " is not in " + room);
      }
      int order = nextMessage++;
      queue.add(new Pending(order, room, username + "-" + order, text));
      pump();
    });
  }

  /** Sends {@code count} messages, one every {@code intervalMs}, round-robin over this client's rooms. */
  public void sendPaced(int count, long intervalMs) {
    List<String> names = List.copyOf(rooms.keySet());
    int[] sent = {0};
    context.runOnContext(v -> vertx.setPeriodic(intervalMs, id -> {
      if (stopped || sent[0] >= count) {
        vertx.cancelTimer(id);
        return;
      }
      String room = names.get(sent[0] % names.size());
      send(room, "message " + sent[0] + " from " + username + " at " + System.currentTimeMillis());
      sent[0]++;
    }));
  }

  /** Closes the connection without leaving any room, and stays away. */
  public Future<Void> stop() {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      stopped = true;
      WebSocket s = socket;
      socket = null;
      generation++;
      if (s == null) {
        done.complete();
      } else {
        s.close().onComplete(ar -> done.complete());
      }
    });
    return done.future();
  }

  public Future<Snapshot> snapshot() {
    Promise<Snapshot> result = Promise.promise();
    context.runOnContext(v -> {
      Map<String, List<Delivery>> deliveries = new LinkedHashMap<>();
      Map<String, Long> duplicates = new LinkedHashMap<>();
      Map<String, Long> gaps = new LinkedHashMap<>();
      Map<String, List<String>> online = new LinkedHashMap<>();
      boolean ready = socket != null;
      for (RoomLog log : rooms.values()) {
        deliveries.put(log.name, List.copyOf(log.deliveries));
        duplicates.put(log.name, log.duplicates);
        gaps.put(log.name, log.gaps);
        online.put(log.name, List.copyOf(log.online));
        ready &= log.joinedOn == generation;
      }
      result.complete(new Snapshot(username, ready, queue.size(), inFlight.size(), reconnects, resends, duplicateAcks, rateLimited,
          Map.copyOf(acks), deliveries, duplicates, gaps, online, List.copyOf(problems), lastConnectFailure));
    });
    return result.future();
  }

  private void connect() {
    if (stopped) {
      return;
    }
    int mine = ++generation;
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(uri.getHost()).setPort(uri.getPort())
        .setURI(uri.getRawPath()).setSsl("wss".equals(uri.getScheme()));
    sockets.connect(options).onComplete(ar -> {
      if (mine != generation) {
        if (ar.succeeded()) {
          ar.result().close();
        }
        return;
      }
      if (ar.failed()) {
        lastConnectFailure = ar.cause().toString();
        reconnectLater();
        return;
      }
      WebSocket ws = ar.result();
      socket = ws;
      ws.textMessageHandler(text -> {
        if (mine == generation) {
          onFrame(text);
        }
      });
      ws.exceptionHandler(e -> {
        // a close follows; nothing to do until then
      });
      ws.closeHandler(v -> {
        if (mine == generation) {
          onDisconnected();
        }
      });
      write(JSON.createObjectNode().put("type", "hello").put("token", token));
    });
  }

  private void onDisconnected() {
    socket = null;
    generation++;
    for (Pending p : inFlight.values()) {
      cancelTimer(p);
    }
    List<Pending> unanswered = new ArrayList<>(inFlight.values());
    inFlight.clear();
    requests.clear();
    unanswered.sort(Comparator.comparingInt((Pending p) -> p.order).reversed());
    unanswered.forEach(queue::addFirst);
    reconnectLater();
  }

  private void reconnectLater() {
    if (stopped) {
      return;
    }
    reconnects++;
    long ceiling = Math.min(MAX_BACKOFF_MS, 100L << Math.min(failedAttempts++, 5));
    vertx.setTimer(ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1), id -> connect());
  }

  private void onFrame(String text) {
    JsonNode frame;
    try {
      frame = JSON.readTree(text);
    } catch (Exception e) {
      problems.add("unparseable frame: " + text);
      return;
    }
    switch (frame.path("type").asText()) {
      case "welcome" -> {
        failedAttempts = 0;
        for (RoomLog log : rooms.values()) {
          request(JSON.createObjectNode().put("type", "join").put("room", log.name).put("since", log.lastSeq), "join:" + log.name);
        }
      }
      case "message" -> onMessage(frame);
      case "presence" -> {
        RoomLog log = rooms.get(frame.path("room").asText());
        if (log != null) {
          if ("online".equals(frame.path("state").asText())) {
            log.online.add(frame.path("user").asText());
          } else {
            log.online.remove(frame.path("user").asText());
          }
        }
      }
      case "ok", "error" -> onReply(frame);
      default -> {
        // typing, reconnect (the close follows) and anything newer are not this client's concern
      }
    }
  }

  private void onMessage(JsonNode frame) {
    RoomLog log = rooms.get(frame.path("room").asText());
    if (log == null) {
      problems.add("a message for a room never joined: " + frame);
      return;
    }
    long seq = frame.path("seq").asLong();
    if (seq <= log.lastSeq) {
      log.duplicates++;
      problems.add(log.name + ": seq " + seq + " again after " + log.lastSeq);
      return;
    }
    if (seq != log.lastSeq + 1) {
      log.gaps++;
      problems.add(log.name + ": seq " + seq + " after " + log.lastSeq);
    }
    log.lastSeq = seq;
    log.deliveries.add(new Delivery(seq, frame.path("from").asText(), frame.path("clientMsgId").asText(null), frame.path("text").asText()));
  }

  private void onReply(JsonNode frame) {
    long id = frame.path("id").asLong(-1);
    String what = requests.remove(id);
    Pending pending = inFlight.remove(id);
    boolean ok = "ok".equals(frame.path("type").asText());
    if (what != null && what.startsWith("join:")) {
      RoomLog log = rooms.get(what.substring("join:".length()));
      if (!ok) {
        problems.add("join " + log.name + " refused: " + frame);
        socket.close(); // start over: reconnect and join again
        return;
      }
      if (frame.path("hasMore").asBoolean(false)) {
        problems.add(log.name + ": more than one replay's worth missed; a gap is left");
      }
      if (frame.path("lastSeq").asLong() > log.lastSeq) {
        log.gaps++;
        problems.add(log.name + ": joined at " + frame.path("lastSeq").asLong() + " holding only " + log.lastSeq);
        log.lastSeq = frame.path("lastSeq").asLong();
      }
      log.online.clear();
      frame.path("members").forEach(m -> log.online.add(m.asText()));
      log.joinedOn = generation;
      pump();
      return;
    }
    if (pending == null) {
      return; // the reply to a request of a connection that was since replaced, or a late duplicate
    }
    cancelTimer(pending);
    if (ok) {
      boolean duplicate = frame.path("duplicate").asBoolean(false);
      if (duplicate) {
        duplicateAcks++;
      }
      Ack previous = acks.put(pending.clientMsgId, new Ack(pending.room, pending.clientMsgId, frame.path("seq").asLong(), duplicate));
      if (previous != null && previous.seq() != frame.path("seq").asLong()) {
        problems.add(pending.clientMsgId + " acknowledged as seq " + previous.seq() + " and then " + frame.path("seq").asLong());
      }
      pump();
      return;
    }
    String code = frame.path("code").asText();
    long retryAfter = switch (code) {
      case "rate_limited" -> {
        rateLimited++;
        yield Math.max(50, frame.path("retryAfterMs").asLong(200));
      }
      case "unavailable", "not_member", "internal_error" -> 200;
      default -> -1;
    };
    if (retryAfter < 0) {
      problems.add(pending.clientMsgId + " refused for good: " + frame);
      return;
    }
    vertx.setTimer(retryAfter, t -> {
      queue.addFirst(pending);
      pump();
    });
  }

  private void pump() {
    if (socket == null) {
      return;
    }
    var it = queue.iterator();
    while (inFlight.size() < maxInFlight && it.hasNext()) {
      Pending p = it.next();
      if (rooms.get(p.room).joinedOn != generation) {
        continue;
      }
      it.remove();
      transmit(p);
    }
  }

  private void transmit(Pending p) {
    if (p.attempts++ > 0) {
      resends++;
    }
    long id = request(JSON.createObjectNode().put("type", "send").put("room", p.room).put("text", p.text)
        .put("clientMsgId", p.clientMsgId), null);
    inFlight.put(id, p);
    int sentOn = generation;
    p.timer = vertx.setTimer(ACK_TIMEOUT_MS, t -> {
      p.timer = -1;
      if (sentOn == generation && inFlight.remove(id) == p) {
        queue.addFirst(p); // no answer on a live connection: ask again, the clientMsgId makes it safe
        pump();
      }
    });
  }

  private long request(ObjectNode frame, String what) {
    long id = ++nextRequestId;
    frame.put("id", id);
    if (what != null) {
      requests.put(id, what);
    }
    write(frame);
    return id;
  }

  private void write(ObjectNode frame) {
    if (socket != null) {
      socket.writeTextMessage(frame.toString());
    }
  }

  private void cancelTimer(Pending p) {
    if (p.timer >= 0) {
      vertx.cancelTimer(p.timer);
      p.timer = -1;
    }
  }
}
