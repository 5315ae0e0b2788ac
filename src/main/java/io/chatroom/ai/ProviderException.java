package io.chatroom.ai;

/**
 * Why a provider call failed. {@link #retryable()} says whether asking again may help: a refusal with 429
 * or 5xx, an unreachable provider, or a stream that broke off; a 4xx other than 429 (a wrong key, an
 * unknown model) will fail the same way again.
 */
public final class ProviderException extends RuntimeException {
  /** What went wrong. */
  public enum Kind {
    /** The provider answered with an HTTP error status. */
    REFUSED,
    /** No connection, or none in time. */
    UNREACHABLE,
    /** The stream ended before the answer was complete, or carried an error or garbage. */
    BROKEN,
    /** The caller cancelled the call. */
    CANCELLED
  }

  private final Kind kind;
  private final int status;
  private final long retryAfterMs;

  /**
   * @param status       the HTTP status of a refusal, 0 otherwise
   * @param retryAfterMs the provider's Retry-After, or -1 when it gave none
   */
  public ProviderException(Kind kind, int status, long retryAfterMs, String message) {
    super(message, null, false, false);
    this.kind = kind;
    this.status = status;
    this.retryAfterMs = retryAfterMs;
  }

  public static ProviderException cancelled() {
    return new ProviderException(Kind.CANCELLED, 0, -1, "cancelled");
  }

  public Kind kind() {
    return kind;
  }

  public int status() {
    return status;
  }

  public long retryAfterMs() {
    return retryAfterMs;
  }

  public boolean retryable() {
    return switch (kind) {
      case REFUSED -> status == 429 || status >= 500;
      case UNREACHABLE, BROKEN -> true;
      case CANCELLED -> false;
    };
  }
}
