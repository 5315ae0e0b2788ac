package io.chatroom.ai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chatroom.config.AiSettings;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.function.Consumer;

/**
 * Any server that speaks OpenAI's chat completions API with streaming: GLM (open.bigmodel.cn), OpenAI,
 * Ollama, vLLM, llama.cpp's server. One {@code POST <base>chat/completions} with {@code "stream":true}
 * per call; the answer arrives as Server-Sent Events, {@code data: {"choices":[{"delta":{"content":"..."}}]}}
 * lines ending with {@code data: [DONE]}. Usage is read when the provider sends it (GLM does in its last
 * chunk); nothing else is asked of the server, so it works with all of them unchanged.
 *
 * <p>The connect timeout is set here; waiting for tokens is the caller's business ({@link Upstream}).
 */
public final class OpenAiCompatibleProvider implements AiProvider {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** An error body is read for its message only; a provider that sends megabytes of it is cut off. */
  static final int MAX_ERROR_BODY = 4096;

  private final HttpClient client;
  private final String url;
  private final String apiKey;
  private final String model;
  private final int maxTokens;
  /** A safety net under the caller's own timers: no connection is left hanging longer than a whole answer may take. */
  private final long idleTimeoutMs;

  public OpenAiCompatibleProvider(Vertx vertx, AiSettings settings) {
    this.client = vertx.createHttpClient(new HttpClientOptions()
            .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, settings.connectTimeoutMs()))
            .setForceSni(true),
        new PoolOptions().setHttp1MaxSize(Math.max(1, settings.maxConcurrent())));
    this.url = settings.baseUrl() + "chat/completions";
    this.apiKey = settings.apiKey();
    this.model = settings.model();
    this.maxTokens = settings.maxAnswerTokens();
    this.idleTimeoutMs = settings.timeoutMs();
  }

  @Override
  public Call stream(List<Turn> prompt, Consumer<String> onDelta) {
    HttpCall call = new HttpCall(onDelta);
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(url)
        .putHeader("Content-Type", "application/json")
        .putHeader("Accept", "text/event-stream")
        .setIdleTimeout(idleTimeoutMs);
    if (apiKey != null) {
      options.putHeader("Authorization", "Bearer " + apiKey);
    }
    client.request(options).onComplete(ar -> {
      if (ar.failed()) {
        call.fail(new ProviderException(ProviderException.Kind.UNREACHABLE, 0, -1, "cannot connect: " + ar.cause().getMessage()));
        return;
      }
      call.request = ar.result();
      if (call.ended()) {
        call.request.reset(); // cancelled while connecting
        return;
      }
      call.request.send(body(prompt)).onComplete(sent -> {
        if (sent.failed()) {
          call.fail(new ProviderException(ProviderException.Kind.UNREACHABLE, 0, -1, "request failed: " + sent.cause().getMessage()));
        } else {
          call.read(sent.result());
        }
      });
    });
    return call;
  }

  private Buffer body(List<Turn> prompt) {
    ObjectNode body = JSON.createObjectNode();
    body.put("model", model);
    body.put("stream", true);
    body.put("max_tokens", maxTokens);
    ArrayNode messages = body.putArray("messages");
    for (Turn t : prompt) {
      messages.addObject().put("role", t.role()).put("content", t.content());
    }
    try {
      return Buffer.buffer(JSON.writeValueAsBytes(body));
    } catch (Exception e) {
      throw new IllegalStateException("cannot write a completion request", e);
    }
  }

  /** One request; confined to the context that started it. */
  private static final class HttpCall implements Call {
    private final Promise<Completion> done = Promise.promise();
    private final Consumer<String> onDelta;
    private final SseParser parser = new SseParser(this::onEvent);
    private HttpClientRequest request;
    private Integer promptTokens;
    private Integer completionTokens;
    private String finishReason;

    HttpCall(Consumer<String> onDelta) {
      this.onDelta = onDelta;
    }

    @Override
    public Future<Completion> done() {
      return done.future();
    }

    @Override
    public void cancel() {
      if (done.tryFail(ProviderException.cancelled()) && request != null) {
        request.reset();
      }
    }

    boolean ended() {
      return done.future().isComplete();
    }

    void fail(ProviderException e) {
      if (done.tryFail(e) && request != null) {
        request.reset();
      }
    }

    void read(HttpClientResponse response) {
      if (response.statusCode() != 200) {
        readRefusal(response);
        return;
      }
      response.exceptionHandler(e -> fail(new ProviderException(ProviderException.Kind.BROKEN, 0, -1,
          "the stream broke off: " + e.getMessage())));
      response.handler(chunk -> {
        if (ended()) {
          return;
        }
        try {
          parser.feed(chunk.getBytes());
        } catch (RuntimeException e) {
          fail(new ProviderException(ProviderException.Kind.BROKEN, 0, -1, e.getMessage()));
        }
      });
      response.endHandler(v -> {
        if (ended()) {
          return;
        }
        parser.end();
        // a server that ends the stream after a finish_reason without [DONE] has still said everything
        if (finishReason != null) {
          complete();
        } else if (!ended()) {
          fail(new ProviderException(ProviderException.Kind.BROKEN, 0, -1, "the stream ended before the answer was complete"));
        }
      });
    }

    private void readRefusal(HttpClientResponse response) {
      int status = response.statusCode();
      long retryAfter = retryAfterMs(response.getHeader("Retry-After"));
      Buffer body = Buffer.buffer();
      response.handler(chunk -> {
        if (body.length() < MAX_ERROR_BODY) {
          body.appendBuffer(chunk.length() > MAX_ERROR_BODY - body.length() ? chunk.slice(0, MAX_ERROR_BODY - body.length()) : chunk);
        }
      });
      Runnable refuse = () -> fail(new ProviderException(ProviderException.Kind.REFUSED, status, retryAfter,
          "HTTP " + status + errorDetail(body.toString())));
      response.exceptionHandler(e -> refuse.run());
      response.endHandler(v -> refuse.run());
    }

    private void onEvent(String data) {
      if (ended()) {
        return;
      }
      if (data.equals("[DONE]")) {
        complete();
        return;
      }
      JsonNode chunk;
      try {
        chunk = JSON.readTree(data);
      } catch (Exception e) {
        fail(new ProviderException(ProviderException.Kind.BROKEN, 0, -1, "a stream event is not JSON"));
        return;
      }
      if (chunk == null || !chunk.isObject()) {
        fail(new ProviderException(ProviderException.Kind.BROKEN, 0, -1, "a stream event is not a JSON object"));
        return;
      }
      if (chunk.hasNonNull("error")) {
        fail(new ProviderException(ProviderException.Kind.BROKEN, 0, -1, "the provider reported an error mid-stream" + errorDetail(data)));
        return;
      }
      JsonNode usage = chunk.path("usage");
      if (usage.path("prompt_tokens").isIntegralNumber()) {
        promptTokens = usage.get("prompt_tokens").asInt();
      }
      if (usage.path("completion_tokens").isIntegralNumber()) {
        completionTokens = usage.get("completion_tokens").asInt();
      }
      JsonNode choice = chunk.path("choices").path(0);
      if (choice.path("finish_reason").isTextual()) {
        finishReason = choice.get("finish_reason").asText();
      }
      JsonNode content = choice.path("delta").path("content");
      if (content.isTextual() && !content.asText().isEmpty()) {
        onDelta.accept(content.asText());
      }
    }

    private void complete() {
      done.tryComplete(new Completion(promptTokens, completionTokens, finishReason));
    }
  }

  /** Retry-After as delay-seconds or an HTTP date; -1 when absent or unreadable. */
  static long retryAfterMs(String header) {
    if (header == null || header.isBlank()) {
      return -1;
    }
    String value = header.trim();
    try {
      return Math.max(0, Math.round(Double.parseDouble(value) * 1000));
    } catch (NumberFormatException notSeconds) {
      try {
        return Math.max(0, Duration.between(ZonedDateTime.now(), ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME)).toMillis());
      } catch (DateTimeParseException notADate) {
        return -1;
      }
    }
  }

  /** The provider's own words from an error body, shortened, for the log; never the request or the key. */
  private static String errorDetail(String body) {
    String message = body;
    try {
      JsonNode tree = JSON.readTree(body);
      JsonNode error = tree == null ? null : tree.path("error");
      if (error != null && error.isTextual()) {
        message = error.asText();
      } else if (error != null && error.path("message").isTextual()) {
        message = error.get("message").asText();
      }
    } catch (Exception notJson) {
      // the raw body, shortened, is the best there is
    }
    message = message.strip().replaceAll("\\s+", " ");
    if (message.isEmpty()) {
      return "";
    }
    return ": " + (message.length() > 200 ? message.substring(0, 200) + "..." : message);
  }
}
