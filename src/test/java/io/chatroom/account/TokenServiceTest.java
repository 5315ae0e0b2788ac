package io.chatroom.account;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Tokens carry when they were issued to the millisecond: a password reset must split sessions exactly. */
class TokenServiceTest {
  private final TokenService tokens = new TokenService("test-secret-that-is-at-least-32-characters-long");
  private final User alice = new User(7, "alice");

  @Test
  void aTokenSaysWhomAndWhenToTheMillisecond() {
    Instant issued = Instant.now().minusSeconds(60).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).plusMillis(123);
    TokenService.Verified verified = tokens.verify(tokens.issue(alice, issued)).orElseThrow();
    assertThat(verified.user()).isEqualTo(alice);
    assertThat(verified.issuedAtMs()).as("iat alone has whole seconds").isEqualTo(issued.toEpochMilli());
  }

  @Test
  void aForgedOrForeignTokenIsNoToken() {
    String token = tokens.issue(alice);
    assertThat(new TokenService("another-secret-that-is-at-least-32-characters").verify(token)).isEmpty();
    assertThat(tokens.verify(token.substring(0, token.length() - 2) + "xx")).isEmpty();
    assertThat(tokens.verify(null)).isEmpty();
  }
}
