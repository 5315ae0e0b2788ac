package io.chatroom.observability;

import org.slf4j.MDC;

/**
 * Puts correlation keys into the logging MDC for one block. Event loops interleave many requests on one
 * thread, so keys are set around each log-producing block and removed after, never left behind.
 *
 * <pre>{@code try (LogContext ignored = LogContext.of("session_id", id, "room", room)) { log.warn(...); }}</pre>
 */
public final class LogContext implements AutoCloseable {
  public static final String REQUEST_ID = "request_id";
  public static final String USER_ID = "user_id";
  public static final String SESSION_ID = "session_id";
  public static final String ROOM = "room";
  public static final String TRACE_ID = "trace_id";

  private final String[] keys;

  private LogContext(String[] keys) {
    this.keys = keys;
  }

  /** @param keyValues alternating keys and values; null values are skipped */
  public static LogContext of(String... keyValues) {
    String[] keys = new String[keyValues.length / 2];
    for (int i = 0; i + 1 < keyValues.length; i += 2) {
      if (keyValues[i + 1] != null) {
        MDC.put(keyValues[i], keyValues[i + 1]);
        keys[i / 2] = keyValues[i];
      }
    }
    return new LogContext(keys);
  }

  @Override
  public void close() {
    for (String key : keys) {
      if (key != null) {
        MDC.remove(key);
      }
    }
  }
}
