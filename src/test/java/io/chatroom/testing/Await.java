package io.chatroom.testing;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Waits, bounded, for what happens asynchronously: a condition (another event loop, a timer, a scrape) or a future. */
public final class Await {
  private static final Duration LIMIT = Duration.ofSeconds(15);

  private Await() {}

  /**
   * The future's result, or its failure as an {@link java.util.concurrent.ExecutionException}; a future that never
   * completes fails the test after {@value #FUTURE_LIMIT_SECONDS} s instead of hanging it.
   */
  public static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(FUTURE_LIMIT_SECONDS, TimeUnit.SECONDS);
  }

  private static final int FUTURE_LIMIT_SECONDS = 30;

  public static void until(BooleanSupplier condition) {
    long deadline = System.nanoTime() + LIMIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within " + LIMIT.toSeconds() + " s");
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
