package io.chatroom.ai;

import io.chatroom.config.AiSettings;
import io.chatroom.message.Draft;
import io.chatroom.observability.Metrics;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gets one answer from the provider within this node's limits: at most {@code maxConcurrent} calls at once and
 * a short queue behind them; the circuit breaker; retries with backoff (honouring Retry-After) of calls refused
 * with 429 or 5xx, only while no token has been streamed, since a retry after that would repeat text the room
 * has already seen; a timeout for the first token and between tokens, and one for the whole answer; and the
 * message length limit, past which the answer is cut with a marker.
 *
 * <p>Confined to one Vert.x context: call {@link #answer} there; its future completes there.
 */
final class Upstream {
  private static final Logger log = LoggerFactory.getLogger(Upstream.class);
  static final String TRUNCATED = "\n\n[answer truncated]";
  static final String INTERRUPTED = "\n\n[answer interrupted]";
  /** An answer is one message: its text and either marker must fit the message limit. */
  static final int MAX_ANSWER = Draft.MAX_TEXT - Math.max(TRUNCATED.length(), INTERRUPTED.length());
  static final long FIRST_BACKOFF_MS = 500;
  static final long MAX_BACKOFF_MS = 8_000;

  /** A complete answer, as cached and posted: its text with the truncation marker when it was cut. */
  public record Answer(String text) {}

  /** Why no complete answer came. */
  static final class Failure extends RuntimeException {
    enum Kind {
      /** Every call slot and queue place is taken. */
      BUSY,
      /** The circuit breaker is open. */
      UNAVAILABLE,
      /** The provider failed before any token. */
      FAILED,
      /** The provider failed after some tokens: {@link #partial()} holds them. */
      INTERRUPTED
    }

    private final Kind kind;
    private final String partial;
    private final long retryAfterMs;

    /** @param reason shown to the asker: says what happened without the provider's own words */
    Failure(Kind kind, String reason, String partial, long retryAfterMs) {
      super(reason, null, false, false);
      this.kind = kind;
      this.partial = partial;
      this.retryAfterMs = retryAfterMs;
    }

    Kind kind() {
      return kind;
    }

    String partial() {
      return partial;
    }

    long retryAfterMs() {
      return retryAfterMs;
    }
  }

  private final Vertx vertx;
  private final AiProvider provider;
  private final AiSettings settings;
  private final CircuitBreaker breaker;
  private final Metrics.AiMeters meters;
  private final ArrayDeque<Job> queue = new ArrayDeque<>();
  private final Set<Job> running = new HashSet<>();
  private boolean closed;

  Upstream(Vertx vertx, AiProvider provider, AiSettings settings, CircuitBreaker breaker, Metrics.AiMeters meters) {
    this.vertx = vertx;
    this.provider = provider;
    this.settings = settings;
    this.breaker = breaker;
    this.meters = meters;
  }

  /**
   * Asks for one answer; each piece of its text, within the length limit, goes to {@code onText} as it comes.
   * Fails with a {@link Failure}.
   *
   * @param promptTokens the prompt's estimated size, counted when the provider reports no usage
   * @param askedAt      {@link System#nanoTime()} when the question was committed: latencies count from there
   */
  Future<Answer> answer(List<AiProvider.Turn> prompt, int promptTokens, Consumer<String> onText, long askedAt) {
    Job job = new Job(prompt, promptTokens, onText, askedAt);
    if (closed) {
      job.result.fail(new Failure(Failure.Kind.FAILED, "the server is shutting down", null, -1));
    } else if (breaker.state() == CircuitBreaker.State.OPEN && breaker.retryAfterMs() > 0) {
      job.result.fail(unavailable());
    } else if (running.size() < settings.maxConcurrent()) {
      start(job);
    } else if (queue.size() < settings.queueSize()) {
      queue.add(job);
      // a question that cannot start soon is better refused than left hanging: the asker may try again
      job.queueTimer = vertx.setTimer(settings.firstTokenTimeoutMs(), id -> {
        if (queue.remove(job)) {
          job.result.fail(busy());
        }
      });
    } else {
      job.result.fail(busy());
    }
    return job.result.future();
  }

  /** Ends every call: answers under way keep what was streamed (interrupted), queued ones are refused. */
  void close() {
    closed = true;
    for (Job job : List.copyOf(queue)) {
      queue.remove(job);
      vertx.cancelTimer(job.queueTimer);
      job.result.fail(new Failure(Failure.Kind.FAILED, "the server is shutting down", null, -1));
    }
    for (Job job : List.copyOf(running)) {
      giveUp(job, new ProviderException(ProviderException.Kind.CANCELLED, 0, -1, "the server is shutting down"), false);
    }
  }

  int running() {
    return running.size();
  }

  private void start(Job job) {
    if (!breaker.tryAcquire()) {
      job.result.fail(unavailable());
      startNext();
      return;
    }
    running.add(job);
    job.deadline = System.nanoTime() + settings.timeoutMs() * 1_000_000;
    job.totalTimer = vertx.setTimer(settings.timeoutMs(), id -> timedOut(job,
        "no complete answer within " + seconds(settings.timeoutMs())));
    attempt(job);
  }

  private void attempt(Job job) {
    job.attempts++;
    armIdle(job);
    AiProvider.Call call = provider.stream(job.prompt, delta -> onDelta(job, delta));
    job.call = call;
    if (job.ended) {
      call.cancel(); // a provider that streamed past the limit before returning the call
      return;
    }
    call.done().onComplete(ar -> {
      if (job.call != call || job.ended) {
        return;
      }
      if (ar.succeeded()) {
        succeed(job, ar.result());
      } else if (ar.cause() instanceof ProviderException e) {
        onCallFailed(job, e);
      } else {
        giveUp(job, new ProviderException(ProviderException.Kind.BROKEN, 0, -1, String.valueOf(ar.cause())), true);
      }
    });
  }

  private void onDelta(Job job, String delta) {
    if (job.ended) {
      return;
    }
    if (!job.streamed) {
      job.streamed = true;
      meters.firstToken(System.nanoTime() - job.askedAt);
    }
    armIdle(job);
    int room = MAX_ANSWER - job.text.length();
    if (delta.length() <= room) {
      job.text.append(delta);
      job.onText.accept(delta);
      return;
    }
    // past the message limit: keep what fits (never half a surrogate pair), stop the call, and say so
    int end = room > 0 && Character.isHighSurrogate(delta.charAt(room - 1)) ? room - 1 : room;
    if (end > 0) {
      job.text.append(delta, 0, end);
      job.onText.accept(delta.substring(0, end));
    }
    job.truncated = true;
    succeed(job, null);
    if (job.call != null) {
      job.call.cancel();
    }
  }

  private void onCallFailed(Job job, ProviderException e) {
    if (!job.streamed && e.retryable() && job.attempts <= settings.maxRetries()) {
      long waitMs = e.retryAfterMs() >= 0 ? e.retryAfterMs() : backoffMs(job.attempts);
      if (System.nanoTime() + waitMs * 1_000_000 < job.deadline) {
        log.info("AI provider call failed ({}); retry {} of {} in {} ms", e.getMessage(), job.attempts, settings.maxRetries(), waitMs);
        cancelIdle(job);
        job.retryTimer = vertx.setTimer(Math.max(1, waitMs), id -> {
          job.retryTimer = -1;
          if (!job.ended) {
            attempt(job);
          }
        });
        return;
      }
    }
    giveUp(job, e, true);
  }

  private void timedOut(Job job, String why) {
    if (job.ended) {
      return;
    }
    giveUp(job, new ProviderException(ProviderException.Kind.BROKEN, 0, -1, why), true);
  }

  private void succeed(Job job, AiProvider.Completion completion) {
    String text = job.text.toString();
    if (text.isBlank()) {
      end(job);
      breaker.succeeded(); // it answered, with nothing
      job.result.fail(new Failure(Failure.Kind.FAILED, "the model gave an empty answer", null, -1));
      return;
    }
    boolean cut = job.truncated || completion != null && completion.cutByLength();
    end(job);
    breaker.succeeded();
    meters.duration(System.nanoTime() - job.askedAt);
    countTokens(job, completion);
    job.result.complete(new Answer(cut ? text + TRUNCATED : text));
  }

  /**
   * Ends a call that will not complete. {@code countsAgainstProvider} is false for a shutdown: the provider
   * did nothing wrong.
   */
  private void giveUp(Job job, ProviderException e, boolean countsAgainstProvider) {
    if (job.ended) {
      return;
    }
    end(job); // first: cancelling completes the call, and its failure must find the job ended
    if (job.call != null) {
      job.call.cancel();
    }
    if (countsAgainstProvider) {
      breaker.failed();
    }
    log.warn("AI provider call failed after {} attempt(s){}: {}", job.attempts, job.streamed ? " mid-answer" : "", e.getMessage());
    if (job.streamed) {
      meters.duration(System.nanoTime() - job.askedAt);
      countTokens(job, null);
      job.result.fail(new Failure(Failure.Kind.INTERRUPTED, reason(e), job.text.toString(), -1));
    } else {
      job.result.fail(new Failure(Failure.Kind.FAILED, reason(e), null, -1));
    }
  }

  private void end(Job job) {
    job.ended = true;
    vertx.cancelTimer(job.totalTimer);
    vertx.cancelTimer(job.retryTimer);
    cancelIdle(job);
    if (running.remove(job)) {
      startNext();
    }
  }

  private void startNext() {
    while (!closed && running.size() < settings.maxConcurrent() && !queue.isEmpty()) {
      Job next = queue.poll();
      vertx.cancelTimer(next.queueTimer);
      start(next);
    }
  }

  private void armIdle(Job job) {
    cancelIdle(job);
    long ms = settings.firstTokenTimeoutMs();
    job.idleTimer = vertx.setTimer(ms, id -> timedOut(job, (job.streamed ? "no token for " : "no first token within ") + seconds(ms)));
  }

  private void cancelIdle(Job job) {
    if (job.idleTimer != -1) {
      vertx.cancelTimer(job.idleTimer);
      job.idleTimer = -1;
    }
  }

  private void countTokens(Job job, AiProvider.Completion completion) {
    long in = completion != null && completion.promptTokens() != null ? completion.promptTokens() : job.promptTokens;
    long out = completion != null && completion.completionTokens() != null ? completion.completionTokens()
        : Prompt.estimateTokens(job.text.toString());
    meters.tokens(in, out);
  }

  private Failure unavailable() {
    return new Failure(Failure.Kind.UNAVAILABLE, "its provider keeps failing", null, breaker.retryAfterMs());
  }

  private Failure busy() {
    return new Failure(Failure.Kind.BUSY, "it is answering as many questions as it can on this server", null,
        settings.firstTokenTimeoutMs());
  }

  /** What the asker is told: what kind of failure, never the provider's own words (they may name the key). */
  private static String reason(ProviderException e) {
    return switch (e.kind()) {
      case REFUSED -> "the provider refused the request (HTTP " + e.status() + ")";
      case UNREACHABLE -> "the provider cannot be reached";
      case BROKEN -> e.getMessage().startsWith("no ") ? "the provider did not answer in time" : "the provider's answer broke off";
      case CANCELLED -> "the server is shutting down";
    };
  }

  /** 0.5 s, 1 s, 2 s, ... up to 8 s, each with up to 25 % added so that many callers do not retry in step. */
  static long backoffMs(int attempt) {
    long base = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS << Math.min(10, Math.max(0, attempt - 1)));
    return base + ThreadLocalRandom.current().nextLong(base / 4 + 1);
  }

  private static String seconds(long ms) {
    return ms % 1000 == 0 ? ms / 1000 + " s" : ms / 1000.0 + " s";
  }

  /** One question's way through: queued, then attempts until an answer or a failure. */
  private static final class Job {
    final List<AiProvider.Turn> prompt;
    final int promptTokens;
    final Consumer<String> onText;
    final long askedAt;
    final Promise<Answer> result = Promise.promise();
    final StringBuilder text = new StringBuilder();
    AiProvider.Call call;
    int attempts;
    boolean streamed;
    boolean truncated;
    boolean ended;
    long deadline;
    long queueTimer = -1;
    long totalTimer = -1;
    long idleTimer = -1;
    long retryTimer = -1;

    Job(List<AiProvider.Turn> prompt, int promptTokens, Consumer<String> onText, long askedAt) {
      this.prompt = prompt;
      this.promptTokens = promptTokens;
      this.onText = onText;
      this.askedAt = askedAt;
    }
  }
}
