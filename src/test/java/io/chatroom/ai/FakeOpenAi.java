package io.chatroom.ai;

import static io.chatroom.testing.Await.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * An OpenAI-compatible server on loopback for tests: {@code POST /v1/chat/completions} answers from a script
 * (then from a fallback), streaming Server-Sent Events as OpenAI does, or refusing with a status, stalling, or
 * cutting the stream. It records every request and when it came.
 */
public final class FakeOpenAi implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What the server does with one request. */
  public sealed interface Reply permits Stream, Status, Stall {}

  /**
   * Streams {@code chunks} as content deltas, {@code delayMs} apart. Complete: a last chunk with
   * finish_reason and usage, then {@code [DONE]}. Cut: the connection closes after the chunks.
   */
  public record Stream(List<String> chunks, long delayMs, boolean cut) implements Reply {}

  /** Refuses with {@code status}, and a Retry-After header unless it is null. */
  public record Status(int status, String retryAfter) implements Reply {}

  /** Sends the response head and then nothing, until {@link #release()}. */
  public record Stall() implements Reply {}

  public static Stream answer(String... chunks) {
    return new Stream(List.of(chunks), 20, false);
  }

  public static Stream slowAnswer(long delayMs, String... chunks) {
    return new Stream(List.of(chunks), delayMs, false);
  }

  public static Stream cutAfter(String... chunks) {
    return new Stream(List.of(chunks), 20, true);
  }

  private final Vertx vertx = Vertx.vertx();
  private final HttpServer server;
  private final Deque<Reply> script = new ArrayDeque<>();
  private volatile Reply fallback = answer("Fine", ", thanks.");
  private final List<JsonNode> requests = new CopyOnWriteArrayList<>();
  private final List<String> authorizations = new CopyOnWriteArrayList<>();
  private final List<Long> arrivals = new CopyOnWriteArrayList<>();
  private final List<HttpServerResponse> stalled = new CopyOnWriteArrayList<>();

  private FakeOpenAi() throws Exception {
    server = await(vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1"));
  }

  public static FakeOpenAi start() {
    try {
      return new FakeOpenAi();
    } catch (Exception e) {
      throw new IllegalStateException("cannot start the fake provider", e);
    }
  }

  /** The AI_BASE_URL that reaches it. */
  public String baseUrl() {
    return "http://127.0.0.1:" + server.actualPort() + "/v1/";
  }

  /** Queues replies for the next requests, in order. */
  public synchronized FakeOpenAi then(Reply... replies) {
    script.addAll(List.of(replies));
    return this;
  }

  /** What every request gets once the script is used up. */
  public FakeOpenAi otherwise(Reply reply) {
    fallback = reply;
    return this;
  }

  public int calls() {
    return requests.size();
  }

  List<JsonNode> requests() {
    return requests;
  }

  List<String> authorizations() {
    return authorizations;
  }

  /** When each request arrived, in {@link System#nanoTime()}. */
  List<Long> arrivals() {
    return arrivals;
  }

  /** Responses stalled and still open. */
  int stalled() {
    return (int) stalled.stream().filter(r -> !r.ended() && !r.closed()).count();
  }

  /** Ends every stalled response (with nothing: a broken stream). */
  void release() {
    for (HttpServerResponse r : stalled) {
      vertx.runOnContext(v -> {
        if (!r.ended() && !r.closed()) {
          r.end();
        }
      });
    }
  }

  private synchronized Reply next() {
    Reply r = script.poll();
    return r != null ? r : fallback;
  }

  private void handle(HttpServerRequest req) {
    req.body().onSuccess(body -> {
      if (!req.path().equals("/v1/chat/completions") || req.method().name().equals("GET")) {
        req.response().setStatusCode(404).end();
        return;
      }
      arrivals.add(System.nanoTime());
      authorizations.add(String.valueOf(req.getHeader("Authorization")));
      try {
        requests.add(JSON.readTree(body.toString()));
      } catch (Exception e) {
        requests.add(JSON.createObjectNode().put("unreadable", body.toString()));
      }
      Reply reply = next();
      HttpServerResponse response = req.response();
      if (reply instanceof Status s) {
        response.setStatusCode(s.status()).putHeader("Content-Type", "application/json");
        if (s.retryAfter() != null) {
          response.putHeader("Retry-After", s.retryAfter());
        }
        response.end("{\"error\":{\"message\":\"scripted failure " + s.status() + "\",\"type\":\"test\"}}");
      } else if (reply instanceof Stall) {
        response.setChunked(true).putHeader("Content-Type", "text/event-stream");
        response.writeHead();
        stalled.add(response);
      } else if (reply instanceof Stream s) {
        response.setChunked(true).putHeader("Content-Type", "text/event-stream");
        response.writeHead();
        stream(req, response, s, 0);
      }
    });
  }

  private void stream(HttpServerRequest req, HttpServerResponse response, Stream s, int i) {
    if (response.closed()) {
      return;
    }
    if (i < s.chunks().size()) {
      response.write(event(chunk(s.chunks().get(i), null)));
      vertx.setTimer(Math.max(1, s.delayMs()), id -> stream(req, response, s, i + 1));
      return;
    }
    if (s.cut()) {
      req.connection().close();
      return;
    }
    ObjectNode last = chunk(null, "stop");
    last.putObject("usage").put("prompt_tokens", 42).put("completion_tokens", 7).put("total_tokens", 49);
    response.write(event(last));
    response.end(Buffer.buffer("data: [DONE]\n\n"));
  }

  private static ObjectNode chunk(String content, String finishReason) {
    ObjectNode chunk = JSON.createObjectNode().put("id", "chatcmpl-test").put("object", "chat.completion.chunk").put("model", "fake");
    ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
    ObjectNode delta = choice.putObject("delta");
    if (content != null) {
      delta.put("role", "assistant").put("content", content);
    }
    if (finishReason == null) {
      choice.putNull("finish_reason");
    } else {
      choice.put("finish_reason", finishReason);
    }
    return chunk;
  }

  private static Buffer event(ObjectNode chunk) {
    return Buffer.buffer("data: " + chunk + "\n\n");
  }

  @Override
  public void close() {
    release();
    vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
  }
}
