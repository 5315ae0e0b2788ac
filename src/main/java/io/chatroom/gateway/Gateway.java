package io.chatroom.gateway;

import io.chatroom.config.ConfigException;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.net.BindException;

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
    // the first instance picks the port (a random one for port 0); the others then share that exact port
    GatewayVerticle first = new GatewayVerticle(services, host, port);
    return vertx.deployVerticle(first)
        .map(id -> first.actualPort)
        .compose(actual -> instances == 1 ? Future.succeededFuture(actual)
            : vertx.deployVerticle(() -> new GatewayVerticle(services, host, actual), new DeploymentOptions().setInstances(instances - 1))
                .map(id -> actual))
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
          .setHost(host)
          .setPort(port)
          .setMaxWebSocketFrameSize(MAX_FRAME_BYTES)
          .setMaxWebSocketMessageSize(MAX_FRAME_BYTES)
          .setTcpNoDelay(true)
          .setCompressionSupported(true);
      return vertx.createHttpServer(options).requestHandler(router).listen()
          .onSuccess(server -> actualPort = server.actualPort());
    }
  }
}
