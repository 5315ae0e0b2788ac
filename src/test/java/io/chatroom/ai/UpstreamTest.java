package io.chatroom.ai;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatroom.config.AiSettings;
import io.chatroom.observability.Metrics;
import io.chatroom.testing.Await;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The provider-independent rules of one answer, against an in-memory provider the test drives by hand. */
class UpstreamTest {
  private final Vertx vertx = Vertx.vertx();
  private final Context context = vertx.getOrCreateContext();
  private final Metrics metrics = new Metrics();
  private final FakeProvider provider = new FakeProvider();

  @AfterEach
  void stop() {
    vertx.close();
    metrics.close();
  }

  /** A provider whose calls wait for the test to stream, finish or fail them. */
  static final class FakeProvider implements AiProvider {
    final List<FakeCall> calls = new CopyOnWriteArrayList<>();

    @Override
    public Call stream(List<Turn> prompt, Consumer<String> onDelta) {
      FakeCall call = new FakeCall(onDelta);
      calls.add(call);
      return call;
    }
  }

  static final class FakeCall implements AiProvider.Call {
    final Consumer<String> onDelta;
    final Promise<AiProvider.Completion> done = Promise.promise();
    volatile boolean cancelled;

    FakeCall(Consumer<String> onDelta) {
      this.onDelta = onDelta;
    }

    @Override
    public Future<AiProvider.Completion> done() {
      return done.future();
    }

    @Override
    public void cancel() {
      cancelled = true;
      done.tryFail(ProviderException.cancelled());
    }
  }

  private static AiSettings settings(int maxConcurrent, int queue, long firstTokenMs, int retries) {
    return new AiSettings(null, "http://127.0.0.1:1/", "m", "s", 5, maxConcurrent, queue, 3000, 1024, 1000, firstTokenMs, 30_000,
        retries, 5, 10_000);
  }

  private Upstream upstream(AiSettings settings) {
    Metrics.AiMeters meters = metrics.ai();
    return new Upstream(vertx, provider, settings, new CircuitBreaker(5, 10_000, System::nanoTime, meters::breakerState), meters);
  }

  /** Runs {@code action} on the upstream's context and waits for it. */
  private <T> T on(Supplier<T> action) {
    CompletableFuture<T> result = new CompletableFuture<>();
    context.runOnContext(v -> result.complete(action.get()));
    return result.orTimeout(10, TimeUnit.SECONDS).join();
  }

  private void run(Runnable action) {
    on(() -> {
      action.run();
      return null;
    });
  }

  private Future<Upstream.Answer> ask(Upstream upstream, StringBuilder streamed) {
    return on(() -> upstream.answer(List.of(new AiProvider.Turn("user", "q")), 10, t -> streamed.append(t), System.nanoTime()));
  }

  private static Throwable failureOf(Future<?> f) {
    Await.until(f::isComplete);
    assertThat(f.failed()).as("expected a failure, got %s", f.result()).isTrue();
    return f.cause();
  }

  @Test
  void aRefusalBeforeAnyTokenIsRetriedButABreakAfterTokensIsNot() {
    Upstream upstream = upstream(settings(4, 4, 5_000, 2));
    StringBuilder streamed = new StringBuilder();
    Future<Upstream.Answer> answer = ask(upstream, streamed);

    run(() -> provider.calls.get(0).done.fail(new ProviderException(ProviderException.Kind.REFUSED, 503, -1, "HTTP 503")));
    Await.until(() -> provider.calls.size() == 2);
    run(() -> {
      provider.calls.get(1).onDelta.accept("half an ");
      provider.calls.get(1).onDelta.accept("answer");
      provider.calls.get(1).done.fail(new ProviderException(ProviderException.Kind.BROKEN, 0, -1, "cut"));
    });

    Upstream.Failure f = (Upstream.Failure) failureOf(answer);
    assertThat(f.kind()).isEqualTo(Upstream.Failure.Kind.INTERRUPTED);
    assertThat(f.partial()).isEqualTo("half an answer");
    assertThat(streamed.toString()).isEqualTo("half an answer");
    assertThat(provider.calls).hasSize(2);
  }

  @Test
  void aRefusalThatWillNotChangeIsNotRetried() {
    Upstream upstream = upstream(settings(4, 4, 5_000, 2));
    Future<Upstream.Answer> answer = ask(upstream, new StringBuilder());
    run(() -> provider.calls.get(0).done.fail(new ProviderException(ProviderException.Kind.REFUSED, 401, -1, "HTTP 401")));

    Upstream.Failure f = (Upstream.Failure) failureOf(answer);
    assertThat(f.kind()).isEqualTo(Upstream.Failure.Kind.FAILED);
    assertThat(f.getMessage()).contains("HTTP 401");
    assertThat(provider.calls).hasSize(1);
  }

  @Test
  void anAnswerPastTheMessageLimitIsCutWithAMarkerAndTheCallStopped() {
    Upstream upstream = upstream(settings(4, 4, 5_000, 0));
    StringBuilder streamed = new StringBuilder();
    Future<Upstream.Answer> answer = ask(upstream, streamed);
    run(() -> {
      provider.calls.get(0).onDelta.accept("a".repeat(Upstream.MAX_ANSWER - 10));
      provider.calls.get(0).onDelta.accept("b".repeat(100));
      provider.calls.get(0).onDelta.accept("never seen");
    });

    Await.until(answer::isComplete);
    String text = answer.result().text();
    assertThat(text).endsWith(Upstream.TRUNCATED).hasSize(Upstream.MAX_ANSWER + Upstream.TRUNCATED.length());
    assertThat(text.codePointCount(0, text.length())).isLessThanOrEqualTo(io.chatroom.message.Draft.MAX_TEXT);
    assertThat(streamed.toString()).hasSize(Upstream.MAX_ANSWER).doesNotContain("never");
    assertThat(provider.calls.get(0).cancelled).isTrue();
  }

  @Test
  void aProviderSilentPastTheFirstTokenTimeoutIsGivenUpOn() {
    Upstream upstream = upstream(settings(4, 4, 200, 2));
    Future<Upstream.Answer> answer = ask(upstream, new StringBuilder());

    Upstream.Failure f = (Upstream.Failure) failureOf(answer);
    assertThat(f.kind()).isEqualTo(Upstream.Failure.Kind.FAILED);
    assertThat(f.getMessage()).contains("did not answer in time");
    assertThat(provider.calls).hasSize(1);
    assertThat(provider.calls.get(0).cancelled).isTrue();
    assertThat(upstream.running()).isZero();
  }

  @Test
  void beyondTheCallSlotsQuestionsQueueAndBeyondTheQueueTheyAreRefused() {
    Upstream upstream = upstream(settings(1, 1, 5_000, 0));
    Future<Upstream.Answer> first = ask(upstream, new StringBuilder());
    Future<Upstream.Answer> queued = ask(upstream, new StringBuilder());
    Future<Upstream.Answer> refused = ask(upstream, new StringBuilder());

    assertThat(((Upstream.Failure) failureOf(refused)).kind()).isEqualTo(Upstream.Failure.Kind.BUSY);
    assertThat(provider.calls).hasSize(1);
    run(() -> {
      provider.calls.get(0).onDelta.accept("done");
      provider.calls.get(0).done.complete(new AiProvider.Completion(null, null, "stop"));
    });
    Await.until(first::isComplete);
    assertThat(first.result().text()).isEqualTo("done");
    Await.until(() -> provider.calls.size() == 2);
    assertThat(queued.isComplete()).isFalse();
  }
}
