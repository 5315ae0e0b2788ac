package io.chatroom.ai;

import io.chatroom.account.Admins;
import io.chatroom.cache.SharedCache;
import io.chatroom.cache.TwoLevelCache;
import io.chatroom.config.AiSettings;
import io.chatroom.gateway.protocol.Protocol;
import io.chatroom.gateway.protocol.ServerFrame;
import io.chatroom.limits.RateLimiter;
import io.chatroom.message.Appended;
import io.chatroom.message.Draft;
import io.chatroom.message.GroupCommitWriter;
import io.chatroom.message.Message;
import io.chatroom.observability.Metrics;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The assistant: answers {@code @ai} questions, and every message in a direct-message room with the user
 * {@value #USERNAME}, as that user.
 *
 * <ul>
 *   <li>Exactly one answer per question, cluster-wide: only the node that committed a question answers it
 *       (from the group commit's callback, never from the broker), and the answer is posted with the
 *       clientMsgId {@code ai-<room id>-<question seq>}, so posting it twice stores it once.
 *   <li>The answer streams to the room as {@code ai_delta} events, then is committed through the group
 *       commit like any message, with {@code replyTo} = the question's seq. Refusals (not configured, over a
 *       limit, provider unavailable) are {@code ai_error} events to the asker's connections only.
 *   <li>Per-user question budget ({@link RateLimiter}, shared by the nodes with Redis); per-node call
 *       limits, breaker, retries and timeouts ({@link Upstream}).
 *   <li>Answers are cached by {@link Prompt#cacheKey}: the same question in the same conversation, within a
 *       day (± 20 %), is answered without a provider call, and the same question asked again while its
 *       answer is being written waits for that answer (per node). Only complete answers are cached.
 * </ul>
 *
 * <p>Nothing here blocks or runs on a connection's event loop: all work happens on the assistant's own
 * context, and the chat is only touched through {@link Chat}.
 */
public final class Assistant {
  private static final Logger log = LoggerFactory.getLogger(Assistant.class);
  /** The user answers come from; created by migration V4 with a password nobody can use. */
  public static final String USERNAME = "ai";
  /**
   * A day, as the feature asks; the answer to a question in a given conversation does not go stale faster.
   * 10,000 answers of at most 4,000 characters bound the node's memory to about 80 MB in the worst case.
   */
  static final TwoLevelCache.Settings ANSWERS = new TwoLevelCache.Settings("ai_answers", 10_000, Duration.ofDays(1), Duration.ofDays(1));
  /** A commit that fails is retried this often (the answer is idempotent by its clientMsgId). */
  static final int POST_ATTEMPTS = 3;
  static final long POST_RETRY_MS = 1_000;

  /** What became of a question: the {@code outcome} label of {@code chatroom_ai_requests_total}. */
  enum Outcome {
    ANSWERED, CACHED, INTERRUPTED, FAILED, UNAVAILABLE, RATE_LIMITED, BUSY, NOT_CONFIGURED;

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** What the assistant needs of the chat. {@code ChatServer} implements it; tests fake it. */
  public interface Chat {
    /** Up to {@code limit} of the newest messages of the room before {@code seq}, ascending, read from the primary. */
    Future<List<Message>> before(long roomId, String room, long seq, int limit);

    /** Commits a message as any send is committed. */
    Future<Appended> post(Draft draft);

    /** An event for every member of the room on every node; not stored. */
    void publish(String room, byte[] json);

    /** An event for {@code userId}'s connections on this node that have joined {@code room}. */
    void tell(long userId, String room, byte[] json);
  }

  private final Context context;
  private final AiSettings settings;
  private final long aiUserId;
  private final Chat chat;
  private final RateLimiter questions;
  private final HotQuestions hot;
  private final Metrics.AiMeters meters;
  private final Upstream upstream;
  private final TwoLevelCache<Ask, Upstream.Answer> answers;
  private final Vertx vertx;
  /** Questions between their commit and their answer (or refusal); read by {@link #close()} from another thread. */
  private final AtomicInteger open = new AtomicInteger();

  /**
   * @param questions the per-user question budget (AI_RATE_PER_MINUTE)
   * @param shared    the cache the nodes share, or null on a single node
   */
  public Assistant(Vertx vertx, AiSettings settings, AiProvider provider, long aiUserId, Chat chat, RateLimiter questions,
      SharedCache shared, HotQuestions hot, Metrics metrics) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.settings = settings;
    this.aiUserId = aiUserId;
    this.chat = chat;
    this.questions = questions;
    this.hot = hot;
    this.meters = metrics.ai();
    meters.outcomes(Arrays.stream(Outcome.values()).map(Outcome::label).toList());
    CircuitBreaker breaker = new CircuitBreaker(settings.breakerFailures(), settings.breakerCooldownMs(), System::nanoTime,
        meters::breakerState);
    this.upstream = new Upstream(vertx, provider, settings, breaker, meters);
    this.answers = new TwoLevelCache<>(ANSWERS, Upstream.Answer.class, Ask::key, this::askProvider, shared, metrics);
    if (settings.enabled()) {
      log.info("assistant on: {} at {}", settings.model(), settings.baseUrl());
    } else {
      log.info("assistant off: set AI_API_KEY (or point AI_BASE_URL at a local model) to turn it on");
    }
  }

  /** Blocking: the id of the user {@value #USERNAME}; for start-up. */
  public static long userId(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT id FROM users WHERE username_key = ?")) {
      ps.setString(1, USERNAME);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new SQLException("the user '" + USERNAME + "' is missing: migration V4 did not run");
        }
        return rs.getLong(1);
      }
    }
  }

  /**
   * Looks for questions among freshly committed messages and starts answering them. Called by the group
   * commit on its own thread: it only filters and hands over.
   */
  public void onCommitted(List<GroupCommitWriter.Committed> committed) {
    for (GroupCommitWriter.Committed c : committed) {
      Question q = Question.of(c.message(), aiUserId, Admins.SYSTEM_USER);
      if (q != null) {
        long askedAt = System.nanoTime();
        open.incrementAndGet();
        context.runOnContext(v -> ask(q, askedAt));
      }
    }
  }

  private void ask(Question q, long askedAt) {
    if (!settings.enabled()) {
      refuse(q, Outcome.NOT_CONFIGURED, ServerFrame.AiError.NOT_CONFIGURED, "The assistant is not configured on this server:"
          + " an operator must set AI_API_KEY (and AI_BASE_URL and AI_MODEL for a provider other than GLM), or point"
          + " AI_BASE_URL at a model server on the same machine, such as Ollama.", null);
      return;
    }
    questions.acquire("user:" + q.userId()).otherwise(RateLimiter.Decision.ALLOWED).onComplete(decided -> {
      RateLimiter.Decision d = decided.result();
      if (!d.allowed()) {
        refuse(q, Outcome.RATE_LIMITED, ServerFrame.AiError.RATE_LIMITED, "You can ask the assistant "
            + perMinute() + " a minute; ask again in " + Math.max(1, (d.retryAfterMs() + 999) / 1000) + " s.", d.retryAfterMs());
        return;
      }
      hot.count(q.hotKey());
      chat.before(q.roomId(), q.room(), q.seq(), Prompt.MAX_HISTORY).onComplete(history -> {
        if (history.failed()) {
          log.warn("could not read the conversation before a question in room {}: {}", q.room(), history.cause().toString());
          refuse(q, Outcome.FAILED, ServerFrame.AiError.UNAVAILABLE, "The assistant could not read the conversation; try again.", null);
          return;
        }
        Prompt prompt = Prompt.build(settings.model(), settings.systemPrompt(), settings.contextTokens(), history.result(), q, USERNAME);
        Ask ask = new Ask(q, prompt, new DeltaStream(vertx, chat, q.room(), q.seq()), askedAt);
        answers.get(ask).onComplete(answered -> finish(ask, answered.succeeded() ? answered.result() : null, answered.cause()));
      });
    });
  }

  /**
   * The cache's loader: runs for the first of concurrent identical questions on this node, after every cache
   * missed. A failure is kept in the ask and the cache gets null, which it does not keep: only complete
   * answers are cached, and provider trouble is reported once, by the assistant, not again by the cache.
   */
  private Future<Upstream.Answer> askProvider(Ask ask) {
    Promise<Upstream.Answer> answer = Promise.promise();
    context.runOnContext(v -> {
      ask.askedProvider = true;
      upstream.answer(ask.prompt.turns(), ask.prompt.estimatedTokens(), ask.stream, ask.askedAt).onComplete(ar -> {
        ask.failure = ar.cause();
        answer.complete(ar.succeeded() ? ar.result() : null);
      });
    });
    return answer.future();
  }

  private void finish(Ask ask, Upstream.Answer answer, Throwable failure) {
    ask.stream.close();
    Question q = ask.question;
    if (answer != null) {
      post(q, answer.text(), false, ask.askedProvider ? Outcome.ANSWERED : Outcome.CACHED);
      return;
    }
    if (failure == null && ask.askedProvider) {
      failure = ask.failure;
    }
    if (failure == null) {
      // it waited for another asker's answer to the same question, which did not come
      refuse(q, Outcome.FAILED, ServerFrame.AiError.UNAVAILABLE, "The assistant could not answer the same question asked"
          + " just before; try again later.", null);
      return;
    }
    if (!(failure instanceof Upstream.Failure f)) {
      log.error("answering a question in room {} failed", q.room(), failure);
      refuse(q, Outcome.FAILED, ServerFrame.AiError.UNAVAILABLE, "The assistant could not answer; try again later.", null);
      return;
    }
    switch (f.kind()) {
      case INTERRUPTED -> post(q, f.partial() + Upstream.INTERRUPTED, true, Outcome.INTERRUPTED);
      case BUSY -> refuse(q, Outcome.BUSY, ServerFrame.AiError.RATE_LIMITED, "The assistant is busy: " + f.getMessage()
          + ". Ask again in " + (f.retryAfterMs() + 999) / 1000 + " s.", f.retryAfterMs());
      case UNAVAILABLE -> refuse(q, Outcome.UNAVAILABLE, ServerFrame.AiError.UNAVAILABLE, "The assistant is unavailable right now: "
          + f.getMessage() + ". Try again " + (f.retryAfterMs() > 0 ? "in " + (f.retryAfterMs() + 999) / 1000 + " s." : "later."),
          f.retryAfterMs() > 0 ? f.retryAfterMs() : null);
      case FAILED -> refuse(q, Outcome.FAILED, ServerFrame.AiError.UNAVAILABLE, "The assistant could not answer: " + f.getMessage()
          + ". Try again later.", null);
    }
  }

  /** Commits the answer as the user ai, retrying a failed commit: its clientMsgId makes a repeat harmless. */
  private void post(Question q, String text, boolean interrupted, Outcome outcome) {
    Draft draft;
    try {
      draft = new Draft(q.roomId(), q.room(), aiUserId, USERNAME, text, "ai-" + q.roomId() + "-" + q.seq(), q.seq(), interrupted);
    } catch (RuntimeException e) { // the length cap and the empty check make this unreachable; if not, say so
      log.error("the answer to a question in room {} is not a valid message", q.room(), e);
      refuse(q, Outcome.FAILED, ServerFrame.AiError.UNAVAILABLE, "The assistant's answer could not be stored; ask again.", null);
      return;
    }
    post(draft, 1).onComplete(ar -> {
      if (ar.succeeded()) {
        meters.request(outcome.label());
        open.decrementAndGet();
      } else {
        log.warn("could not store the answer to a question in room {}: {}", q.room(), ar.cause().toString());
        refuse(q, Outcome.FAILED, ServerFrame.AiError.UNAVAILABLE, "The assistant's answer could not be stored; ask again.", null);
      }
    });
  }

  private Future<Appended> post(Draft draft, int attempt) {
    return chat.post(draft).recover(e -> {
      if (attempt >= POST_ATTEMPTS) {
        return Future.failedFuture(e);
      }
      Promise<Appended> retried = Promise.promise();
      vertx.setTimer(POST_RETRY_MS * attempt, id -> post(draft, attempt + 1).onComplete(retried));
      return retried.future();
    });
  }

  /** Tells the asker alone why there is no answer. */
  private void refuse(Question q, Outcome outcome, String code, String message, Long retryAfterMs) {
    meters.request(outcome.label());
    chat.tell(q.userId(), q.room(), Protocol.encode(new ServerFrame.AiError(q.room(), q.seq(), code, message, retryAfterMs)));
    open.decrementAndGet();
  }

  private String perMinute() {
    double rate = settings.ratePerMinute();
    String n = rate == Math.rint(rate) ? Long.toString((long) rate) : Double.toString(rate);
    return n + (rate == 1 ? " question" : " questions");
  }

  /**
   * Ends every provider call and waits (up to {@code waitMs}) until each question under way is answered or
   * refused: an answer that was being written is stored as far as it got, marked interrupted. Call before
   * the group commit closes, so those answers still reach the store. Blocking.
   */
  public void close(long waitMs) {
    context.runOnContext(v -> upstream.close());
    long deadline = System.nanoTime() + waitMs * 1_000_000;
    while (open.get() > 0 && System.nanoTime() < deadline) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** One question on its way: keyed for the cache by its prompt. */
  private static final class Ask {
    final Question question;
    final Prompt prompt;
    final DeltaStream stream;
    final long askedAt;
    /** This ask ran the provider call (the cache missed and no identical question was under way). */
    boolean askedProvider;
    /** Why the provider call this ask ran gave no answer. */
    Throwable failure;

    Ask(Question question, Prompt prompt, DeltaStream stream, long askedAt) {
      this.question = question;
      this.prompt = prompt;
      this.stream = stream;
      this.askedAt = askedAt;
    }

    String key() {
      return prompt.cacheKey();
    }
  }
}
