package io.chatroom.cluster;

import java.nio.file.Files;
import java.nio.file.Path;

/** Whether the tools a local cluster or a bench starts (redis-server, nginx, taskset, node) are installed. */
public final class Executables {
  private Executables() {}

  /** True when {@code tool} (a name looked up on PATH, or an absolute path) is an executable file. */
  public static boolean onPath(String tool) {
    if (tool.startsWith("/")) {
      return Files.isExecutable(Path.of(tool));
    }
    for (String entry : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!entry.isEmpty() && Files.isExecutable(Path.of(entry, tool))) {
        return true;
      }
    }
    return false;
  }
}
