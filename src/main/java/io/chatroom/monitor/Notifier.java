package io.chatroom.monitor;

import io.vertx.core.Future;

/**
 * Tells someone an alert fired or resolved. Implementations never block the caller and retry on their
 * own; the future reports the final outcome (tests and logs use it, nothing waits on it).
 */
public interface Notifier {
  Future<Void> notify(AlertEvent event, String node);
}
