package io.chatroom.message;

import io.chatroom.ChatException;
import io.chatroom.ErrorCode;
import io.chatroom.store.Database;
import io.chatroom.observability.Metrics;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single writer of messages. Sends queue up while a commit is in flight and are committed together in
 * the next transaction, so a burst of thousands of sends costs a handful of fsyncs (group commit).
 *
 * <p>Guarantees: the future of {@link #append} succeeds only after its message is committed; it completes on
 * the context that called {@code append}. After each commit, {@code onCommitted} is called once, on the
 * writer thread, with the batch's new messages in commit order, so per-room seq order is publish order on
 * this node.
 */
public final class GroupCommitWriter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GroupCommitWriter.class);
  /** Bounds one transaction, so one huge burst cannot delay the acks at its front for long. */
  static final int MAX_BATCH = 512;

  private final Database db;
  private final MessageStore store;
  private final Metrics metrics;
  private final Tracer tracer;
  private final Consumer<List<Committed>> onCommitted;
  private final ClientMsgIds ids;
  private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private volatile boolean accepting = true;
  /** Writer thread only. */
  private boolean keysRecovered;

  /** A newly committed message and the trace of its commit, which the fan-out continues. */
  public record Committed(Message message, Context trace) {}

  /** @param ids how the writer keeps idempotency keys: {@link ClientMsgIds#immediate()} unless it is the store's only writer */
  public GroupCommitWriter(Database db, MessageStore store, ClientMsgIds ids, Metrics metrics, Tracer tracer,
      Consumer<List<Committed>> onCommitted) {
    this.db = db;
    this.ids = ids;
    this.store = store;
    this.metrics = metrics;
    this.tracer = tracer;
    this.onCommitted = onCommitted;
    this.thread = new Thread(this::run, "chatroom-group-commit");
    thread.setDaemon(true);
    thread.start();
  }

  private record Pending(Draft draft, Promise<Appended> promise, io.vertx.core.Context context, Context trace) {}

  public Future<Appended> append(Draft draft) {
    return append(draft, Context.root());
  }

  /** @param trace the sender's trace; the commit's span becomes its child */
  public Future<Appended> append(Draft draft, Context trace) {
    if (!accepting) {
      return Future.failedFuture(new ChatException(ErrorCode.UNAVAILABLE, "server is shutting down; retry with the same clientMsgId"));
    }
    Promise<Appended> promise = Promise.promise();
    queue.add(new Pending(draft, promise, Vertx.currentContext(), trace));
    return promise.future();
  }

  private void run() {
    keysRecovered = recoverKeys();
    List<Pending> batch = new ArrayList<>(MAX_BATCH);
    while (accepting || !queue.isEmpty()) {
      try {
        Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, MAX_BATCH - 1);
        commit(batch);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        metrics.exception(e);
        log.error("group commit loop failed", e);
      } finally {
        batch.clear();
      }
    }
    writeHeldKeys();
  }

  /**
   * Before the first send: the keys a writer held when it stopped without writing them, so a retry of any
   * message committed before a crash is still recognised. Sends queue meanwhile.
   */
  private boolean recoverKeys() {
    try {
      int recovered = db.inTransaction(ClientMsgIds::recover);
      if (recovered > 0) {
        log.info("wrote the clientMsgIds of {} messages committed before the last stop", recovered);
      }
      return true;
    } catch (Exception e) {
      metrics.exception(e);
      log.error("could not recover the clientMsgIds of the last messages; refusing sends until it can", e);
      return false;
    }
  }

  private void writeHeldKeys() {
    if (!ids.anyHeld()) {
      return;
    }
    try {
      ids.writeHeld(db);
    } catch (Exception e) {
      log.warn("could not write the clientMsgIds held at stop; the next start writes them: {}", e.toString());
    }
  }

  private void commit(List<Pending> batch) {
    if (!keysRecovered && !(keysRecovered = recoverKeys())) {
      // storing now could store a retry of a message committed before the crash a second time
      batch.forEach(p -> complete(p, null, new ChatException(ErrorCode.UNAVAILABLE, "message not stored; retry with the same clientMsgId")));
      return;
    }
    List<Draft> drafts = batch.stream().map(Pending::draft).toList();
    List<Appended> results;
    long startNanos = System.nanoTime();
    long startEpochNanos = epochNanos();
    try {
      long now = System.currentTimeMillis();
      results = ids.transaction(db, c -> store.append(c, drafts, now, ids));
    } catch (Exception e) {
      if (batch.size() > 1) {
        // one bad send (or a clientMsgId raced in by another node) must not fail its neighbours: retry alone
        for (Pending p : batch) {
          commit(List.of(p));
        }
        return;
      }
      if (e instanceof ChatException refused) {
        complete(batch.get(0), null, refused); // the send's own fault (its room was deleted): nothing to retry
        return;
      }
      metrics.exception(e);
      log.warn("could not commit a message to room {}: {}", batch.get(0).draft().room(), e.toString());
      complete(batch.get(0), null, new ChatException(ErrorCode.UNAVAILABLE, "message not stored; retry with the same clientMsgId"));
      return;
    }
    metrics.groupCommitted(batch.size(), System.nanoTime() - startNanos);
    long endEpochNanos = epochNanos();
    List<Committed> fresh = new ArrayList<>(results.size());
    for (int i = 0; i < batch.size(); i++) {
      Appended result = results.get(i);
      Pending p = batch.get(i);
      complete(p, result, null);
      if (!result.duplicate()) {
        fresh.add(new Committed(result.message(), traced(p, batch.size(), startEpochNanos, endEpochNanos)));
      }
    }
    metrics.messagesCommitted(fresh.size());
    if (!fresh.isEmpty()) {
      try {
        onCommitted.accept(fresh);
      } catch (RuntimeException e) {
        metrics.exception(e);
        log.error("publishing committed messages failed; subscribers will catch up from the store", e);
      }
    }
  }

  /** Records the shared transaction as a {@code store.commit} span in each sender's own trace. */
  private Context traced(Pending p, int batchSize, long startEpochNanos, long endEpochNanos) {
    Span span = tracer.spanBuilder("store.commit")
        .setParent(p.trace())
        .setStartTimestamp(startEpochNanos, TimeUnit.NANOSECONDS)
        .setAttribute("chat.room", p.draft().room())
        .setAttribute("chat.batch_size", batchSize)
        .startSpan();
    span.end(endEpochNanos, TimeUnit.NANOSECONDS);
    return p.trace().with(span);
  }

  private static long epochNanos() {
    java.time.Instant now = java.time.Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  private static void complete(Pending p, Appended result, Throwable failure) {
    Runnable done = failure == null ? () -> p.promise().complete(result) : () -> p.promise().fail(failure);
    if (p.context() == null) {
      done.run();
    } else {
      p.context().runOnContext(v -> done.run());
    }
  }

  /** Stops taking sends and returns once every queued one is committed (or failed). */
  @Override
  public void close() {
    accepting = false;
    try {
      thread.join(TimeUnit.SECONDS.toMillis(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // a send that slipped in while the writer was stopping was never committed: say so
    for (Pending late; (late = queue.poll()) != null; ) {
      complete(late, null, new ChatException(ErrorCode.UNAVAILABLE, "server is shutting down; retry with the same clientMsgId"));
    }
  }
}
