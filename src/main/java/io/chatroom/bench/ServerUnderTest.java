package io.chatroom.bench;

import java.net.URI;
import java.util.Optional;
import java.util.OptionalLong;

/** A server the load generator drives: one it started itself, or one already running at {@code --target}. */
public interface ServerUnderTest extends AutoCloseable {
  /** "chatroom" or "socketio", as results name it. */
  String name();

  /** Where WebSocket connections go ({@code ws://host:port}; the dialect adds the path). */
  URI webSocketBase();

  Dialect dialect();

  /** Who connection {@code client} signs in as; valid for {@code client} below the count the server was prepared for. */
  Identity identity(int client);

  /** The server's process, when it runs on this machine and its CPU time and memory can be read. */
  Optional<ProcessProbe> probe();

  /** Runs a full garbage collection in the server now; false when the server is not a JVM the bench started. */
  default boolean collectGarbage() {
    return false;
  }

  /** Heap in use right after a full garbage collection, in bytes, when the server can say. */
  default OptionalLong heapAfterGc() {
    return OptionalLong.empty();
  }

  /** How the server was run, for the results (JVM flags, pinning, database). */
  String description();

  @Override
  void close();
}
