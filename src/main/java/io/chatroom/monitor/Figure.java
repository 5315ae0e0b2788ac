package io.chatroom.monitor;

import java.util.Locale;

/** One number the monitor samples. Its key names it in the admin API, in stored samples and in alert rules. */
public enum Figure {
  CPU_PERCENT,
  PROCESS_CPU_PERCENT,
  MEMORY_PERCENT,
  MEMORY_USED_BYTES,
  HEAP_USED_BYTES,
  DISK_PERCENT,
  DISK_FREE_BYTES,
  /** Cumulative bytes over all non-loopback interfaces; -1 where the OS does not tell. */
  NETWORK_RX_BYTES,
  NETWORK_TX_BYTES,
  LOAD_AVERAGE,
  OPEN_CONNECTIONS,
  ACTIVE_USERS,
  TOTAL_MESSAGES,
  MESSAGES_PER_MINUTE,
  AVG_RESPONSE_MS,
  ERROR_RATE_PERCENT,
  DB_CONNECTIONS;

  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The figure named {@code key}, e.g. "cpu_percent"; IllegalArgumentException listing the known keys otherwise. */
  public static Figure ofKey(String key) {
    for (Figure f : values()) {
      if (f.key().equals(key)) {
        return f;
      }
    }
    StringBuilder known = new StringBuilder();
    for (Figure f : values()) {
      known.append(known.length() == 0 ? "" : ", ").append(f.key());
    }
    throw new IllegalArgumentException("unknown figure '" + key + "' (known: " + known + ")");
  }
}
