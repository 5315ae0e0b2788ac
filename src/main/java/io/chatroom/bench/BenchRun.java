package io.chatroom.bench;

import java.time.Instant;
import java.util.List;

/** Everything one {@code chatroom bench} invocation measured: when, where, how it was invoked, and the results. */
public record BenchRun(Instant date, Machine machine, String command, List<ScenarioResult> results) {
  public BenchRun {
    results = List.copyOf(results);
  }
}
