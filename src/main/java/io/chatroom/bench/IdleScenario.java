package io.chatroom.bench;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * idle: what an authenticated connection that has joined a room and does nothing costs the server in memory.
 * Heap is read after a full GC, and RSS from /proc, before the connections open and after, and the difference is
 * divided by their number. The server's heap is pre-touched, so its RSS grows only by memory outside the heap
 * (direct buffers, native structures); without that, the first use of the young generation's pages, a fixed cost
 * that setting up thousands of connections happens to pay, was counted as theirs (15 of 21 KiB per connection).
 * One message per room at the end proves every connection is live.
 */
public final class IdleScenario implements Scenario {
  private final Settings settings;

  public record Settings(int clients, int roomSize, int eventLoops) {}

  public IdleScenario(Settings settings) {
    this.settings = settings;
  }

  @Override
  public String name() {
    return "idle";
  }

  @Override
  public int connections() {
    return settings.clients();
  }

  @Override
  public List<String> serverJvmOptions() {
    return List.of("-XX:+AlwaysPreTouch");
  }

  @Override
  public ScenarioResult run(ServerUnderTest server, PrintWriter progress) throws InterruptedException {
    String run = Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    Optional<ProcessProbe> probe = server.probe();
    List<String> notes = new ArrayList<>();
    Map<String, Double> figures = new LinkedHashMap<>();
    long lost;
    long duplicated;
    try (LoadGenerator load = new LoadGenerator(server, settings.eventLoops(), 64)) {
      // A few connections first, so the baseline includes the code paths every connection touches.
      List<BenchClient> warm = load.connect(0, Math.min(10, settings.clients()), Duration.ofSeconds(60));
      load.join(warm, c -> List.of(roomOf(c, run)), Duration.ofSeconds(60));
      OptionalLong heap0 = server.heapAfterGc();
      long rss0 = probe.map(ProcessProbe::rssBytes).orElse(0L);
      long started = System.nanoTime();
      int rest = settings.clients() - warm.size();
      List<BenchClient> clients = load.connect(warm.size(), rest, Duration.ofSeconds(300));
      load.join(clients, c -> List.of(roomOf(c, run)), Duration.ofSeconds(300));
      progress.printf("  idle: %,d connections authenticated and joined in %.1f s%n", settings.clients(), (System.nanoTime() - started) / 1e9);
      progress.flush();
      Thread.sleep(2_000);
      OptionalLong heap1 = server.heapAfterGc();
      long rss1 = probe.map(ProcessProbe::rssBytes).orElse(0L);
      figures.put(Figures.CONNECTIONS, (double) settings.clients());
      double nativeBytes = probe.isPresent() ? Figures.perConnection(rss0, rss1, rest) : Double.NaN;
      double heapBytes = heap0.isPresent() && heap1.isPresent()
          ? Figures.perConnection(heap0.getAsLong(), heap1.getAsLong(), rest) : Double.NaN;
      if (probe.isEmpty()) {
        notes.add("server memory not measured (no process to read)");
      } else if (server instanceof TargetServer) {
        notes.add("a server the bench did not start has no pre-touched heap: its native figure includes heap pages used for the first time");
      }
      if (Double.isNaN(heapBytes)) {
        notes.add("heap after GC not measured (needs jcmd and the server's /metrics)");
      }
      figures.put(Figures.MEMORY_BYTES_PER_CONNECTION, heapBytes + nativeBytes);
      figures.put(Figures.HEAP_BYTES_PER_CONNECTION, heapBytes);
      figures.put(Figures.NATIVE_BYTES_PER_CONNECTION, nativeBytes);
      progress.printf("  idle: %,.0f bytes per connection: heap %,.0f, native %,.0f%n", heapBytes + nativeBytes, heapBytes, nativeBytes);
      progress.flush();
      // Every room hears from its first member once: all of them must get it.
      List<BenchClient> firsts = load.clients().stream().filter(c -> c.index() % settings.roomSize() == 0).toList();
      for (BenchClient first : firsts) {
        first.context().runOnContext(v -> first.send(roomOf(first, run)));
      }
      load.awaitAcked(Duration.ofSeconds(60));
      load.awaitDelivered(settings.clients(), Duration.ofSeconds(60));
      LoadGenerator.Loss loss = load.loss();
      lost = loss.lost();
      duplicated = load.tally().duplicates.sum();
      if (load.tally().errors.sum() > 0) {
        notes.add(load.tally().errors.sum() + " errors, the first: " + load.tally().firstError());
      }
    }
    notes.add(server.description());
    Map<String, Object> parameters = new LinkedHashMap<>();
    parameters.put("clients", settings.clients());
    parameters.put("room_size", settings.roomSize());
    return new ScenarioResult("idle", server.name(), parameters, List.of(), figures, lost, duplicated, notes);
  }

  private String roomOf(BenchClient client, String run) {
    return "idle-" + run + "-" + client.index() / settings.roomSize();
  }
}
