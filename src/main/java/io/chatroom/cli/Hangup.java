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
}
