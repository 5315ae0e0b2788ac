package io.chatroom.ai;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {
  private long now = 1_000_000_000L;
  private final List<Integer> gauge = new ArrayList<>();
  private final CircuitBreaker breaker = new CircuitBreaker(3, 10_000, () -> now, gauge::add);

  private void advanceMs(long ms) {
    now += ms * 1_000_000;
  }

  @Test
  void failuresInARowOpenItAndASuccessBetweenThemDoesNot() {
    breaker.failed();
    breaker.failed();
    breaker.succeeded();
    breaker.failed();
    breaker.failed();
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    breaker.failed();
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
    assertThat(breaker.tryAcquire()).isFalse();
    assertThat(breaker.retryAfterMs()).isEqualTo(10_000);
    assertThat(gauge).containsExactly(0, 1);
  }

  @Test
  void afterTheCooldownOneProbeGoesOutAndItsSuccessClosesTheBreaker() {
    openIt();
    advanceMs(9_999);
    assertThat(breaker.tryAcquire()).isFalse();
    advanceMs(1);
    assertThat(breaker.tryAcquire()).isTrue();
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
    assertThat(breaker.tryAcquire()).as("only one probe at a time").isFalse();
    breaker.succeeded();
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(breaker.tryAcquire()).isTrue();
    assertThat(gauge).containsExactly(0, 1, 2, 0);
  }

  @Test
  void aFailedProbeOpensItForAnotherCooldown() {
    openIt();
    advanceMs(10_000);
    assertThat(breaker.tryAcquire()).isTrue();
    breaker.failed();
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
    assertThat(breaker.retryAfterMs()).isEqualTo(10_000);
    advanceMs(5_000);
    assertThat(breaker.tryAcquire()).isFalse();
  }

  private void openIt() {
    for (int i = 0; i < 3; i++) {
      breaker.failed();
    }
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
  }
}
