package io.chatroom.gateway;

import io.chatroom.config.ConfigException;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.Router;
import java.net.BindException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/** Serves HTTP and WebSocket on every event loop: one verticle instance per loop, all sharing the port. */
public final class Gateway {
  /** Frames and messages over this are refused with close 1009: chat frames are small, and this bounds memory. */
  static final int MAX_FRAME_BYTES = 64 * 1024;
  /** Per-connection send queue bound: a reader this far behind is disconnected (1013) instead of growing memory. */
  static final int SEND_QUEUE_BYTES = 1024 * 1024;

  private Gateway() {}

  /** Deploys the gateway and returns the port it listens on (the real one when the configured port is 0). */
  public static Future<Integer> deploy(Vertx vertx, Services services) {
    int instances = Math.max(1, Runtime.getRuntime().availableProcessors());
    String host = services.config().host();
    int port = services.config().port();
    // Vert.x shares one listening socket among the instances; for port 0 a "shared random port" does the same
    List<GatewayVerticle> deployed = new CopyOnWriteArrayList<>();
    return vertx.deployVerticle(() -> {
          GatewayVerticle v = new GatewayVerticle(services, host, port);
          deployed.add(v);
          return v;
        }, new DeploymentOptions().setInstances(instances))
        .map(id -> {
          Set<Integer> ports = deployed.stream().map(v -> v.actualPort).collect(Collectors.toSet());
          if (ports.size() != 1) {
            throw new IllegalStateException("gateway instances listen on different ports: " + ports);
          }
          services.connections().checkSessions(vertx);
          return ports.iterator().next();
        })
        .recover(e -> Future.failedFuture(explain(e, host, port)));
  }

  private static Throwable explain(Throwable e, String host, int port) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BindException) {
        return new ConfigException("CHATROOM_PORT (--port)", "cannot listen on " + host + ":" + port + " (" + t.getMessage() + ")",
            "stop whatever uses the port or choose another with --port");
      }
    }
    return e;
  }

  private static final class GatewayVerticle extends VerticleBase {
    private final Services services;
    private final String host;
    private final int port;
    private volatile int actualPort;

    GatewayVerticle(Services services, String host, int port) {
      this.services = services;
      this.host = host;
      this.port = port;
    }

    @Override
    public Future<?> start() {
      Router router = new HttpApi(services).router(vertx);
      HttpServerOptions options = new HttpServerOptions()
          .setMaxWebSocketFrameSize(MAX_FRAME_BYTES)
          // Chat frames are a few hundred bytes; a deflate context costs tens of KiB per socket, and frames
          // are encoded once for every subscriber, which per-socket compression would undo (see ChatSocket)
          .setPerMessageWebSocketCompressionSupported(false)
          .setPerFrameWebSocketCompressionSupported(false)
          .setTcpNoDelay(true)
          .setCompressionSupported(true)
          // Every response is written on its request's event loop (our futures complete on the caller's
          // context), so Vert.x may write straight to the channel instead of through a per-connection MPSC
          // queue. The queue's 4 KiB chunk matters because an upgraded connection keeps its HTTP connection
          // reachable for the WebSocket's whole life: 7 KiB less heap per idle WebSocket in bench idle.
          .setStrictThreadMode(true);
      SocketAddress address = port == 0 ? SocketAddress.sharedRandomPort(1, host) : SocketAddress.inetSocketAddress(port, host);
      return vertx.createHttpServer(options).requestHandler(router).listen(address)
          .onSuccess(server -> actualPort = server.actualPort());
    }
  }
}
