package io.chatroom.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A protocol client for tests over a real WebSocket. Frames are read strictly in order; {@link #reply}
 * sets aside the frames it passes over, and {@link #next} returns those first, so no event is ever lost
 * to a test that waits for a reply.
 */
public final class WsClient implements AutoCloseable {
  public static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  private final BlockingQueue<JsonNode> incoming = new LinkedBlockingQueue<>();
  private final List<JsonNode> setAside = new ArrayList<>();
  private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
  private final AtomicLong ids = new AtomicLong();
  private final WebSocket ws;

  private WsClient(WebSocket ws) {
    this.ws = ws;
  }

  public static WsClient connect(int port) {
    Listener listener = new Listener();
    WebSocket ws = CLIENT.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
        .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws"), listener)
        // connectTimeout covers TCP only; a server that never answers the upgrade would block forever
        .orTimeout(TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();
    WsClient client = new WsClient(ws);
    listener.client = client;
    return client;
  }

  /** Connects and authenticates; returns the client after its welcome. */
  public static WsClient connect(int port, String token) {
    WsClient c = connect(port);
    JsonNode welcome = c.hello(token);
    if (!"welcome".equals(welcome.path("type").asText())) {
      throw new AssertionError("expected welcome, got " + welcome);
    }
    return c;
  }

  public JsonNode hello(String token) {
    sendRaw(Http.write(Map.of("type", "hello", "token", token)));
    return next();
  }

  public void sendRaw(String text) {
    ws.sendText(text, true).orTimeout(TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();
  }

  /** Sends a request with a fresh id and returns its ok or error reply. */
  public JsonNode request(String type, Object... fieldsAndValues) {
    long id = ids.incrementAndGet();
    Map<String, Object> frame = new LinkedHashMap<>();
    frame.put("type", type);
    frame.put("id", id);
    for (int i = 0; i < fieldsAndValues.length; i += 2) {
      frame.put((String) fieldsAndValues[i], fieldsAndValues[i + 1]);
    }
    sendRaw(Http.write(frame));
    return reply(id);
  }

  public JsonNode join(String room) {
    return request("join", "room", room);
  }

  public JsonNode join(String room, long since) {
    return request("join", "room", room, "since", since);
  }

  public JsonNode send(String room, String text, String clientMsgId) {
    return request("send", "room", room, "text", text, "clientMsgId", clientMsgId);
  }

  /** Waits for the reply carrying {@code id}, setting aside every other frame for {@link #next}. */
  public JsonNode reply(long id) {
    for (Iterator<JsonNode> it = setAside.iterator(); it.hasNext(); ) {
      JsonNode f = it.next();
      if (f.path("id").asLong(-1) == id && f.has("id")) {
        it.remove();
        return f;
      }
    }
    while (true) {
      JsonNode f = take();
      if (f.has("id") && f.get("id").asLong(-1) == id) {
        return f;
      }
      setAside.add(f);
    }
  }

  /** The next frame in arrival order. */
  public JsonNode next() {
    if (!setAside.isEmpty()) {
      return setAside.remove(0);
    }
    return take();
  }

  /** The next frame of {@code type}, dropping frames of other types (for tests that ignore presence and typing). */
  public JsonNode next(String type) {
    while (true) {
      JsonNode f = next();
      if (type.equals(f.path("type").asText())) {
        return f;
      }
    }
  }

  /** The next {@code count} message events of {@code room}, skipping other kinds of event. */
  public List<JsonNode> messages(String room, int count) {
    List<JsonNode> out = new ArrayList<>(count);
    while (out.size() < count) {
      JsonNode f = next();
      if ("message".equals(f.path("type").asText()) && room.equals(f.path("room").asText())) {
        out.add(f);
      } else if (!"presence".equals(f.path("type").asText()) && !"typing".equals(f.path("type").asText())) {
        throw new AssertionError("expected a message event, got " + f);
      }
    }
    return out;
  }

  /** Frames that arrive within {@code wait}, without blocking longer. */
  public List<JsonNode> drain(Duration wait) {
    List<JsonNode> out = new ArrayList<>(setAside);
    setAside.clear();
    long deadline = System.nanoTime() + wait.toNanos();
    try {
      while (true) {
        long left = deadline - System.nanoTime();
        JsonNode f = incoming.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
        if (f == null) {
          return out;
        }
        out.add(f);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return out;
    }
  }

  /** The close code the server sent, waiting for it. */
  public int awaitClose() {
    return closeCode.orTimeout(TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();
  }

  public boolean isClosed() {
    return closeCode.isDone();
  }

  private JsonNode take() {
    try {
      JsonNode f = incoming.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      if (f == null) {
        throw new AssertionError("no frame within " + TIMEOUT + (closeCode.isDone() ? " (closed " + closeCode.join() + ")" : ""));
      }
      return f;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() {
    if (!closeCode.isDone()) {
      ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null).join();
    }
    ws.abort();
  }

  /** Drops the TCP connection without a close handshake, as a crashing client or network would. */
  public void abort() {
    ws.abort();
  }

  private static final class Listener implements WebSocket.Listener {
    volatile WsClient client;
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        try {
          client.incoming.add(JSON.readTree(partial.toString()));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        partial.setLength(0);
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      client.closeCode.complete(statusCode);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      client.closeCode.complete(-1);
    }
  }
}
