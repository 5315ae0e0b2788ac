package io.chatroom.bench;

import java.io.PrintWriter;
import java.util.List;

/** One kind of load: how many identities it needs, and how it drives a server and measures it. */
public interface Scenario {
  String name();

  /** How many connections (and so identities) it opens at most. */
  int connections();

  /** JVM options the server under test needs for this scenario's measurement, after the bench's own. */
  default List<String> serverJvmOptions() {
    return List.of();
  }

  ScenarioResult run(ServerUnderTest server, PrintWriter progress) throws InterruptedException;
}
