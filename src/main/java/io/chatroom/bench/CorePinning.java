package io.chatroom.bench;

import io.chatroom.cluster.Executables;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Which cores the server under test and the load generator run on. With {@code taskset} and at least two
 * cores, the server gets core 0 and the load generator the rest, so the server's figures are those of one core
 * and the load generator never steals from it; otherwise both share the machine and results say so.
 */
public record CorePinning(boolean pinned, int cores, String description) {

  /** The plan for this machine. */
  public static CorePinning detect() {
    int cores = Runtime.getRuntime().availableProcessors();
    boolean taskset = Executables.onPath("taskset");
    if (!taskset) {
      return new CorePinning(false, cores, "not pinned: taskset is not installed (apt-get install util-linux)");
    }
    if (cores < 2) {
      return new CorePinning(false, cores, "not pinned: only one core");
    }
    return new CorePinning(true, cores, "server pinned to core 0, load generator on " + (cores == 2 ? "core 1" : "cores 1-" + (cores - 1)));
  }

  /** No pinning at all (--no-pin, and the test suite, whose JVM must keep every core). */
  public static CorePinning none() {
    return new CorePinning(false, Runtime.getRuntime().availableProcessors(), "not pinned (--no-pin)");
  }

  /** The prefix that starts a server command on its core, empty when not pinned. */
  public List<String> serverPrefix() {
    return pinned ? List.of("taskset", "-c", "0") : List.of();
  }

  /** Moves every thread of this JVM off the server's core; new threads inherit the mask. */
  public void pinLoadGenerator() {
    if (!pinned) {
      return;
    }
    String cpus = cores == 2 ? "1" : "1-" + (cores - 1);
    try {
      Process p = new ProcessBuilder("taskset", "-a", "-p", "-c", cpus, Long.toString(ProcessHandle.current().pid()))
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      p.waitFor(5, TimeUnit.SECONDS);
    } catch (IOException e) {
      throw new IllegalStateException("cannot pin the load generator with taskset: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
