package io.chatroom.account;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.interfaces.DecodedJWT;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Issues and verifies HS256 session tokens. Verification is a single HMAC, cheap enough for an event loop.
 * Nodes that share {@code JWT_SECRET} accept each other's tokens.
 */
public final class TokenService {
  private static final String ISSUER = "chatroom";
  /** Long-lived so a browser tab or terminal client stays signed in; "sign out" drops the token client-side. */
  static final Duration LIFETIME = Duration.ofDays(30);
  private static final String ISSUED_AT_MS = "iat_ms";

  private final Algorithm algorithm;
  private final JWTVerifier verifier;

  public TokenService(String secret) {
    this.algorithm = Algorithm.HMAC256(secret);
    this.verifier = JWT.require(algorithm).withIssuer(ISSUER).build();
  }

  /**
   * The secret from {@code JWT_SECRET}, else the one persisted in {@code dataDir/jwt-secret}, created on
   * first start with owner-only permissions so restarts keep sessions valid.
   */
  public static String loadOrCreateSecret(String configured, Path dataDir) {
    if (configured != null) {
      return configured;
    }
    Path file = dataDir.resolve("jwt-secret");
    try {
      if (Files.exists(file)) {
        return Files.readString(file).trim();
      }
      byte[] bytes = new byte[32];
      new SecureRandom().nextBytes(bytes);
      String secret = HexFormat.of().formatHex(bytes);
      Path tmp = Files.createTempFile(dataDir, ".jwt-secret", ".tmp");
      try {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException notPosix) {
        // best effort on non-POSIX file systems
      }
      Files.writeString(tmp, secret);
      Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      return secret;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create " + file, e);
    }
  }

  /**
   * A token whose signature, issuer and expiry are good: who it was issued to, and when. Whether the user may
   * still use it (not disabled, not signed out since) is for {@link AccountService#authenticate} to say.
   *
   * @param issuedAtMs epoch milliseconds; compared with {@code users.sessions_valid_after}
   */
  public record Verified(User user, long issuedAtMs) {}

  public String issue(User user) {
    return issue(user, Instant.now());
  }

  String issue(User user, Instant now) {
    return JWT.create()
        .withIssuer(ISSUER)
        .withSubject(Long.toString(user.id()))
        .withClaim("name", user.username())
        .withIssuedAt(now)
        // iat has whole seconds: a sign-in in the same second as a password reset would be refused, or a
        // session from just before it kept. Milliseconds make "issued before the reset" exact.
        .withClaim(ISSUED_AT_MS, now.toEpochMilli())
        .withExpiresAt(now.plus(LIFETIME))
        .sign(algorithm);
  }

  /** The token's user and issue time, or empty when it is malformed, forged or expired. */
  public Optional<Verified> verify(String token) {
    if (token == null || token.isEmpty()) {
      return Optional.empty();
    }
    try {
      DecodedJWT jwt = verifier.verify(token);
      String name = jwt.getClaim("name").asString();
      if (name == null) {
        return Optional.empty();
      }
      Long issuedMs = jwt.getClaim(ISSUED_AT_MS).asLong();
      if (issuedMs == null) {
        // issued by a version before the claim: its iat, rounded down, errs towards refusing
        issuedMs = jwt.getIssuedAt() == null ? 0 : jwt.getIssuedAt().getTime();
      }
      return Optional.of(new Verified(new User(Long.parseLong(jwt.getSubject()), name), issuedMs));
    } catch (JWTVerificationException | NumberFormatException e) {
      return Optional.empty();
    }
  }
}
