package io.chatroom.ai;

import static io.chatroom.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.chatroom.config.AiSettings;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The HTTP and Server-Sent Events side, against the fake OpenAI-compatible server. */
class OpenAiCompatibleProviderTest {
  private final Vertx vertx = Vertx.vertx();
  private final Context context = vertx.getOrCreateContext();
  private final FakeOpenAi server = FakeOpenAi.start();
  private final List<String> deltas = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() {
    server.close();
    vertx.close();
  }

  private OpenAiCompatibleProvider provider(String key, String baseUrl) {
    return new OpenAiCompatibleProvider(vertx, new AiSettings(key, baseUrl, "glm-4-flash", "s", 5, 4, 8, 3000, 512, 1000,
        5000, 10_000, 0, 5, 1000));
  }

  private AiProvider.Completion call(AiProvider provider) throws Exception {
    CompletableFuture<Future<AiProvider.Completion>> started = new CompletableFuture<>();
    context.runOnContext(v -> started.complete(provider.stream(
        List.of(new AiProvider.Turn("system", "s"), new AiProvider.Turn("user", "hi")), deltas::add).done()));
    return await(started.get(5, TimeUnit.SECONDS));
  }

  private ProviderException failure(AiProvider provider) throws Exception {
    try {
      AiProvider.Completion c = call(provider);
      throw new AssertionError("expected a failure, got " + c);
    } catch (ExecutionException e) {
      return (ProviderException) e.getCause();
    }
  }

  @Test
  void aStreamedAnswerArrivesInPiecesWithTheProvidersUsage() throws Exception {
    server.then(FakeOpenAi.answer("Hel", "lo ", "😀"));
    AiProvider.Completion done = call(provider("secret-key", server.baseUrl()));

    assertThat(deltas).containsExactly("Hel", "lo ", "😀");
    assertThat(done).isEqualTo(new AiProvider.Completion(42, 7, "stop"));
    assertThat(server.authorizations()).containsExactly("Bearer secret-key");
    var request = server.requests().get(0);
    assertThat(request.path("model").asText()).isEqualTo("glm-4-flash");
    assertThat(request.path("stream").asBoolean()).isTrue();
    assertThat(request.path("max_tokens").asInt()).isEqualTo(512);
    assertThat(request.path("messages").get(1).path("content").asText()).isEqualTo("hi");
  }

  @Test
  void aRefusalCarriesItsStatusAndRetryAfter() throws Exception {
    server.then(new FakeOpenAi.Status(429, "7"), new FakeOpenAi.Status(401, null));
    ProviderException limited = failure(provider(null, server.baseUrl()));
    assertThat(limited.kind()).isEqualTo(ProviderException.Kind.REFUSED);
    assertThat(limited.status()).isEqualTo(429);
    assertThat(limited.retryAfterMs()).isEqualTo(7_000);
    assertThat(limited.retryable()).isTrue();
    assertThat(limited.getMessage()).contains("scripted failure 429");

    ProviderException unauthorized = failure(provider(null, server.baseUrl()));
    assertThat(unauthorized.status()).isEqualTo(401);
    assertThat(unauthorized.retryAfterMs()).isEqualTo(-1);
    assertThat(unauthorized.retryable()).isFalse();
  }

  @Test
  void aStreamCutBeforeItsEndIsBrokenNotComplete() throws Exception {
    server.then(FakeOpenAi.cutAfter("partial"));
    ProviderException broken = failure(provider(null, server.baseUrl()));
    assertThat(broken.kind()).isEqualTo(ProviderException.Kind.BROKEN);
    assertThat(deltas).containsExactly("partial");
  }

  @Test
  void aProviderNobodyListensForIsUnreachable() throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    }
    ProviderException unreachable = failure(provider(null, "http://127.0.0.1:" + port + "/v1/"));
    assertThat(unreachable.kind()).isEqualTo(ProviderException.Kind.UNREACHABLE);
    assertThat(unreachable.retryable()).isTrue();
  }

  @Test
  void retryAfterIsReadAsSecondsOrAsADate() {
    assertThat(OpenAiCompatibleProvider.retryAfterMs("3")).isEqualTo(3_000);
    assertThat(OpenAiCompatibleProvider.retryAfterMs(" 0.5 ")).isEqualTo(500);
    String inTenSeconds = ZonedDateTime.now().plusSeconds(10).format(DateTimeFormatter.RFC_1123_DATE_TIME);
    assertThat(OpenAiCompatibleProvider.retryAfterMs(inTenSeconds)).isBetween(8_000L, 10_000L);
    assertThat(OpenAiCompatibleProvider.retryAfterMs("soon")).isEqualTo(-1);
    assertThat(OpenAiCompatibleProvider.retryAfterMs(null)).isEqualTo(-1);
  }
}
