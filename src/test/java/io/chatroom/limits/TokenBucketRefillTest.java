package io.chatroom.limits;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TokenBucketRefillTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void allowsABurstThenRefusesUntilRefilled() {
    TokenBucket bucket = new TokenBucket(20, 40, 0);
    for (int i = 0; i < 40; i++) {
      assertThat(bucket.tryTake(0)).as("token %d", i).isTrue();
    }
    assertThat(bucket.tryTake(0)).isFalse();
    assertThat(bucket.millisUntilNext(0)).isEqualTo(50);
    assertThat(bucket.tryTake(SECOND / 20)).isTrue();
    assertThat(bucket.tryTake(SECOND / 20)).isFalse();
  }

  @Test
  void neverHoldsMoreThanTheBurst() {
    TokenBucket bucket = new TokenBucket(100, 3, 0);
    long later = 60 * SECOND;
    int taken = 0;
    while (bucket.tryTake(later)) {
      taken++;
    }
    assertThat(taken).isEqualTo(3);
  }

  @Test
  void steadyRateIsSustained() {
    TokenBucket bucket = new TokenBucket(10, 1, 0);
    int taken = 0;
    for (long t = 0; t < 10 * SECOND; t += SECOND / 100) {
      if (bucket.tryTake(t)) {
        taken++;
      }
    }
    assertThat(taken).isBetween(99, 101);
  }
}
