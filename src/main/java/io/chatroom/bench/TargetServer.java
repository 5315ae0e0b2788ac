package io.chatroom.bench;

import io.chatroom.loadgen.Loopback;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A chatroom server or cluster that is already running ({@code --target}). Its users are registered through the
 * API, a pool of them shared round-robin by the connections (a user may have many sessions), because every
 * registration costs the server a bcrypt hash. CPU and memory are read only when {@code --server-pid} names
 * the process on this machine.
 */
public final class TargetServer implements ServerUnderTest {
  private final URI base;
  private final List<Identity> pool;
  private final Long pid;

  private TargetServer(URI base, List<Identity> pool, Long pid) {
    this.base = base;
    this.pool = pool;
    this.pid = pid;
  }

  /** Registers {@code users} bench accounts at {@code base} (http or https), {@code parallel} at a time. */
  public static TargetServer connect(URI base, int users, Long pid) throws InterruptedException {
    HttpClient http = Loopback.httpClient();
    String run = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
    ExecutorService workers = Executors.newFixedThreadPool(8);
    try {
      List<Future<Identity>> registering = new ArrayList<>();
      for (int i = 0; i < users; i++) {
        String name = "bench-" + run + "-" + i;
        registering.add(workers.submit(() -> new Identity(name, Loopback.register(http, base, name, "bench-password-" + run))));
      }
      List<Identity> pool = new ArrayList<>();
      for (Future<Identity> identity : registering) {
        pool.add(identity.get());
      }
      return new TargetServer(base, List.copyOf(pool), pid);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("cannot register bench users at " + base + ": " + e.getCause().getMessage(), e.getCause());
    } finally {
      workers.shutdownNow();
    }
  }

  @Override
  public String name() {
    return "chatroom";
  }

  @Override
  public URI webSocketBase() {
    String scheme = "https".equals(base.getScheme()) ? "wss" : "ws";
    return URI.create(scheme + "://" + base.getRawAuthority());
  }

  @Override
  public Dialect dialect() {
    return new ChatroomDialect();
  }

  @Override
  public Identity identity(int client) {
    return pool.get(client % pool.size());
  }

  @Override
  public Optional<ProcessProbe> probe() {
    return pid == null ? Optional.empty() : Optional.of(new ProcessProbe(pid));
  }

  @Override
  public String description() {
    return "chatroom at " + base + " (started elsewhere; " + pool.size() + " users shared by the connections"
        + (pid == null ? "; server CPU and memory not read: pass --server-pid" : "") + ")";
  }

  @Override
  public void close() {
    // not ours to stop
  }
}
