package io.chatroom.cli;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/** SIGHUP: the Unix way to tell a running daemon to re-read its configuration. */
final class Hangup {
  private static final Logger log = LoggerFactory.getLogger(Hangup.class);

  private Hangup() {}

  /**
   * Runs {@code action} on each SIGHUP, on the JVM's signal thread. This replaces the JVM's own handling of
   * HUP (run the shutdown hooks and exit): a reload must not stop the node.
   */
  static void onHangup(Runnable action) {
    if (ignoredByParent()) {
      // the JVM silently keeps an inherited SIG_IGN, so the handler below would never run
      log.warn("SIGHUP is ignored by this process (started under nohup?): configuration reload is off;"
          + " start it without nohup, e.g. under systemd");
      return;
    }
    try {
      Signal.handle(new Signal("HUP"), signal -> {
        try {
          action.run();
        } catch (RuntimeException e) {
          log.error("handling SIGHUP failed", e);
        }
      });
    } catch (IllegalArgumentException unsupported) {
      log.warn("this platform has no SIGHUP: configuration reload is off");
    }
  }

  /** Whether SIGHUP (signal 1, the lowest bit of SigIgn) was ignored when this process started; Linux only. */
  private static boolean ignoredByParent() {
    try {
      for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
        if (line.startsWith("SigIgn:")) {
          return (Long.parseUnsignedLong(line.substring("SigIgn:".length()).trim(), 16) & 1L) != 0;
        }
      }
    } catch (java.io.IOException | NumberFormatException e) {
      // not Linux, or an unexpected format: assume the signal is ours to handle
    }
    return false;
  }
}
