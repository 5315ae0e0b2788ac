package io.chatroom;

/**
 * Every error the server reports, with its stable wire code and HTTP status.
 * Clients branch on {@link #wire()}; never rename one.
 */
public enum ErrorCode {
  INVALID_REQUEST("invalid_request", 400),
  BAD_JSON("bad_json", 400),
  UNKNOWN_TYPE("unknown_type", 400),
  EMPTY_MESSAGE("empty_message", 400),
  MESSAGE_TOO_LONG("message_too_long", 400),
  UNAUTHORIZED("unauthorized", 401),
  INVALID_CREDENTIALS("invalid_credentials", 401),
  FORBIDDEN("forbidden", 403),
  NOT_MEMBER("not_member", 403),
  NOT_FOUND("not_found", 404),
  ROOM_NOT_FOUND("room_not_found", 404),
  METHOD_NOT_ALLOWED("method_not_allowed", 405),
  USER_NOT_FOUND("user_not_found", 404),
  USERNAME_TAKEN("username_taken", 409),
  ROOM_EXISTS("room_exists", 409),
  PAYLOAD_TOO_LARGE("payload_too_large", 413),
  RATE_LIMITED("rate_limited", 429),
  INTERNAL("internal_error", 500),
  UNAVAILABLE("unavailable", 503),
  OVERLOADED("overloaded", 503);

  private final String wire;
  private final int httpStatus;

  ErrorCode(String wire, int httpStatus) {
    this.wire = wire;
    this.httpStatus = httpStatus;
  }

  public String wire() {
    return wire;
  }

  public int httpStatus() {
    return httpStatus;
  }
}
