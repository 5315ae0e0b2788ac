package io.chatroom.bench;

import java.io.PrintWriter;

/** One kind of load: how many identities it needs, and how it drives a server and measures it. */
public interface Scenario {
  String name();

  /** How many connections (and so identities) it opens at most. */
  int connections();

  ScenarioResult run(ServerUnderTest server, PrintWriter progress) throws InterruptedException;
}
