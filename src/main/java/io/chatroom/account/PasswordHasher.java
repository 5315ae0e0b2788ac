package io.chatroom.account;

import at.favre.lib.crypto.bcrypt.BCrypt;
import java.nio.charset.StandardCharsets;

/**
 * bcrypt password hashing. Deliberately slow (cost 10, about 50 ms on one core), so callers must run
 * it on a worker thread, never on an event loop.
 */
final class PasswordHasher {
  private static final int COST = 10;
  /** A valid hash of a random password, checked against when the user does not exist so timing reveals nothing. */
  private static final String DUMMY_HASH = new PasswordHasher().hash("no-such-user-" + System.nanoTime());

  String hash(String password) {
    return BCrypt.withDefaults().hashToString(COST, password.toCharArray());
  }

  /** False for a wrong password, an unknown user (null hash) and an account that cannot sign in ("!"). */
  boolean matches(String password, String hash) {
    boolean usable = hash != null && hash.startsWith("$2");
    return BCrypt.verifyer().verify(password.getBytes(StandardCharsets.UTF_8),
        (usable ? hash : DUMMY_HASH).getBytes(StandardCharsets.UTF_8)).verified && usable;
  }
}
