package io.chatroom.bench;

import io.chatroom.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The open-files limit: the load generator and the server it starts each hold one descriptor per connection. */
final class OpenFiles {
  /** Descriptors a JVM holds besides its sockets: jars, pipes, epoll, the database. */
  static final int HEADROOM = 1_000;

  private OpenFiles() {}

  /** Stops the bench before it starts when {@code connections} cannot be opened under this process's limit. */
  static void require(int connections) {
    long limit = softLimit();
    if (limit > 0 && connections + HEADROOM > limit) {
      throw new ConfigException("--clients", connections + " connections need more open files than this process may have ("
          + limit + ")", "raise the limit first (ulimit -n 65536; ./chatroom tries), or use fewer --clients");
    }
  }

  /** The soft "Max open files" of this process, or -1 when unknown or unlimited. */
  static long softLimit() {
    try {
      return parse(Files.readString(Path.of("/proc/self/limits")));
    } catch (IOException e) {
      return -1;
    }
  }

  static long parse(String limits) {
    for (String line : limits.split("\n")) {
      if (line.startsWith("Max open files")) {
        String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
        return soft.equals("unlimited") ? -1 : Long.parseLong(soft);
      }
    }
    return -1;
  }
}
