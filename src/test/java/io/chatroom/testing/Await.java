package io.chatroom.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polls for a condition that becomes true asynchronously (another event loop, a timer, a scrape). */
public final class Await {
  private static final Duration LIMIT = Duration.ofSeconds(15);

  private Await() {}

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
