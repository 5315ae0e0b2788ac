package io.chatroom.limits;

class LocalRateLimiterTest extends RateLimiterContract {
  @Override
  RateLimiter limiter(double rate, int burst) {
    return new LocalRateLimiter(rate, burst);
  }
}
