package io.chatroom.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A private redis-server on a loopback port, keeping nothing on disk: a restart comes back empty, as a
 * Redis without persistence does in production, which is the harder case for the nodes.
 */
public final class RedisServer {
  private final int port;
  private final ChildProcess process;

  public RedisServer(int port, Path dir) {
    this.port = port;
    this.process = new ChildProcess("redis", List.of("redis-server", "--bind", "127.0.0.1", "--port", String.valueOf(port),
        "--save", "", "--appendonly", "no", "--dir", dir.toString()), Map.of(), dir.resolve("redis.log"));
  }

  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /** Starts it and returns once it answers PING. */
  public void start(Duration timeout) throws IOException, InterruptedException {
    process.start();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!answersPing()) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        throw new IllegalStateException("redis-server did not come up on port " + port + ":\n" + process.tail(20));
      }
      Thread.sleep(50);
    }
  }

  /** Stops Redis (SIGTERM) and starts it again, empty; returns once it answers. */
  public void restart() throws IOException, InterruptedException {
    process.terminate(Duration.ofSeconds(10));
    start(Duration.ofSeconds(20));
  }

  public void stop() throws InterruptedException {
    process.terminate(Duration.ofSeconds(10));
  }

  private boolean answersPing() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
      socket.setSoTimeout(1000);
      OutputStream out = socket.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] reply = in.readNBytes(7);
      return new String(reply, StandardCharsets.US_ASCII).equals("+PONG\r\n");
    } catch (IOException e) {
      return false;
    }
  }
}
