package io.chatroom.ai;

import java.util.function.IntConsumer;
import java.util.function.LongSupplier;

/**
 * Stops asking a provider that keeps failing. Closed: calls go out, and {@code failures} failed answers in a
 * row open it. Open: every call is refused at once for {@code cooldown}, so users hear "unavailable" in
 * milliseconds instead of after a timeout, and a struggling provider is left alone. Then half-open: one call
 * goes out as a probe while the others are still refused; its success closes the breaker, its failure opens
 * it for another cooldown.
 *
 * <p>Not thread-safe: the assistant calls it from its own context only.
 */
final class CircuitBreaker {
  /** The gauge's values: 0, 1, 2. */
  enum State { CLOSED, OPEN, HALF_OPEN }

  private final int threshold;
  private final long cooldownNanos;
  private final LongSupplier clock;
  private final IntConsumer onChange;
  private State state = State.CLOSED;
  private int failuresInARow;
  private long openedAt;
  private boolean probing;

  /**
   * @param clock    nanoseconds, as {@link System#nanoTime()}
   * @param onChange hears each new state's ordinal (the gauge)
   */
  CircuitBreaker(int threshold, long cooldownMs, LongSupplier clock, IntConsumer onChange) {
    this.threshold = Math.max(1, threshold);
    this.cooldownNanos = cooldownMs * 1_000_000;
    this.clock = clock;
    this.onChange = onChange;
    onChange.accept(state.ordinal());
  }

  /**
   * Whether a call may go out now. In half-open state the first caller becomes the probe and must report
   * its result ({@link #succeeded}, {@link #failed} or {@link #abandoned}).
   */
  boolean tryAcquire() {
    if (state == State.OPEN && clock.getAsLong() - openedAt >= cooldownNanos) {
      set(State.HALF_OPEN);
      probing = false;
    }
    if (state == State.CLOSED) {
      return true;
    }
    if (state == State.HALF_OPEN && !probing) {
      probing = true;
      return true;
    }
    return false;
  }

  /** The provider answered: whatever the state, it works. */
  void succeeded() {
    failuresInARow = 0;
    probing = false;
    set(State.CLOSED);
  }

  void failed() {
    if (state == State.HALF_OPEN) {
      open();
      return;
    }
    if (state == State.CLOSED && ++failuresInARow >= threshold) {
      open();
    }
  }

  /** An acquired call never reached the provider (it waited in the queue too long): the probe is free again. */
  void abandoned() {
    probing = false;
  }

  /** Milliseconds until a call may go out again; 0 when one may now. */
  long retryAfterMs() {
    if (state != State.OPEN) {
      return 0;
    }
    return Math.max(0, (openedAt + cooldownNanos - clock.getAsLong() + 999_999) / 1_000_000);
  }

  State state() {
    return state;
  }

  private void open() {
    openedAt = clock.getAsLong();
    probing = false;
    failuresInARow = 0;
    set(State.OPEN);
  }

  private void set(State next) {
    if (state != next) {
      state = next;
      onChange.accept(next.ordinal());
    }
  }
}
