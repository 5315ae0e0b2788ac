package io.chatroom.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Describes this machine for the results, from /proc where there is one. */
final class MachineInfo {
  private MachineInfo() {}

  static Machine detect() {
    String cpu = field(Path.of("/proc/cpuinfo"), "model name", System.getProperty("os.arch"));
    long memory = 0;
    String total = field(Path.of("/proc/meminfo"), "MemTotal", null);
    if (total != null) {
      memory = Long.parseLong(total.replaceAll("[^0-9]", "")) * 1024;
    }
    return new Machine(cpu, Runtime.getRuntime().availableProcessors(), memory,
        System.getProperty("os.name") + " " + System.getProperty("os.version"),
        System.getProperty("java.vm.name") + " " + System.getProperty("java.version"), SocketIoProcess.nodeVersion());
  }

  private static String field(Path file, String name, String fallback) {
    try {
      for (String line : Files.readAllLines(file)) {
        if (line.startsWith(name)) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException e) {
      // not Linux
    }
    return fallback;
  }
}
