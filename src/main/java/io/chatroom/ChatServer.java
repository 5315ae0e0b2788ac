package io.chatroom;

import io.chatroom.account.AccountService;
import io.chatroom.account.TokenService;
import io.chatroom.broker.Broker;
import io.chatroom.broker.LocalBroker;
import io.chatroom.broker.RoomEvent;
import io.chatroom.config.Config;
import io.chatroom.gateway.Gateway;
import io.chatroom.gateway.Services;
import io.chatroom.gateway.protocol.Protocol;
import io.chatroom.gateway.protocol.ServerFrame;
import io.chatroom.message.GroupCommitWriter;
import io.chatroom.message.Message;
import io.chatroom.message.MessageHistory;
import io.chatroom.message.MessageStore;
import io.chatroom.presence.LocalPresenceStore;
import io.chatroom.room.RoomService;
import io.chatroom.store.Database;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A running chat node: the one place that knows every package and wires them together. */
public final class ChatServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ChatServer.class);

  private final Vertx vertx;
  private final Database database;
  private final GroupCommitWriter writer;
  private final int port;

  private ChatServer(Vertx vertx, Database database, GroupCommitWriter writer, int port) {
    this.vertx = vertx;
    this.database = database;
    this.writer = writer;
    this.port = port;
  }

  /**
   * Starts a node and returns once it listens. Blocking.
   *
   * @param schema PostgreSQL schema to use (tests isolate themselves this way); null for the default
   * @throws io.chatroom.config.ConfigException when configuration, database or port is unusable
   */
  public static ChatServer start(Config config, String schema) {
    Vertx vertx = Vertx.vertx();
    Database database = null;
    GroupCommitWriter writer = null;
    try {
      database = Database.open(vertx, config.database(), schema);
      TokenService tokens = new TokenService(TokenService.loadOrCreateSecret(config.jwtSecret(), config.dataDir()));
      Broker broker = new LocalBroker();
      MessageStore store = new MessageStore();
      writer = new GroupCommitWriter(database, store, messages -> publish(broker, messages));
      Services services = new Services(config, database, new AccountService(vertx, database, tokens),
          new RoomService(database), new MessageHistory(database, store), writer, broker, new LocalPresenceStore());
      int port = Gateway.deploy(vertx, services).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      log.info("chatroom listening on {}:{} with {}", config.host(), port, config.database().display());
      return new ChatServer(vertx, database, writer, port);
    } catch (Exception e) {
      if (writer != null) {
        writer.close();
      }
      if (database != null) {
        database.close();
      }
      vertx.close();
      Throwable cause = e instanceof java.util.concurrent.ExecutionException ? e.getCause() : e;
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException("start-up failed", cause);
    }
  }

  /** Serializes each committed message once; every subscriber on every node receives these same bytes. */
  private static void publish(Broker broker, List<Message> messages) {
    for (Message m : messages) {
      broker.publish(new RoomEvent(m.room(), m.seq(), null, Protocol.encode(ServerFrame.MessageEvent.of(m))));
    }
  }

  public int port() {
    return port;
  }

  /** Closes every connection, commits the messages already queued, then closes the store. Blocking. */
  @Override
  public void close() {
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("vert.x did not close cleanly: {}", e.toString());
    }
    writer.close();
    database.close();
  }
}
