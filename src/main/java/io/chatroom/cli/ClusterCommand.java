package io.chatroom.cli;

import io.chatroom.cluster.ClusterNode;
import io.chatroom.cluster.Executables;
import io.chatroom.cluster.LocalCluster;
import io.chatroom.cluster.NginxFront;
import io.chatroom.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code chatroom cluster}: the scale-out deployment on one machine, started the way the crash test starts
 * it, for trying it out and for load or chaos experiments. Not a way to run production.
 */
@Command(name = "cluster", mixinStandardHelpOptions = true,
    description = "Run Redis, N chat nodes on one PostgreSQL database and nginx in front, all on loopback, until Ctrl-C.")
public final class ClusterCommand implements Callable<Integer> {
  @Option(names = "--database-url", required = true,
      description = "The PostgreSQL database the nodes share, e.g. postgresql://postgres@127.0.0.1:5432/chat")
  String databaseUrl;

  @Option(names = "--nodes", defaultValue = "3", description = "How many nodes (default 3)")
  int nodes;

  @Option(names = "--dir", defaultValue = "cluster", description = "Where data dirs and every process's log go (default ./cluster)")
  Path dir;

  @Override
  public Integer call() throws Exception {
    if (databaseUrl == null || !databaseUrl.startsWith("postgresql://")) {
      throw new ConfigException("--database-url", "nodes can only share a PostgreSQL database", "give a postgresql:// URL");
    }
    if (nodes < 1 || nodes > 16) {
      throw new ConfigException("--nodes", nodes + " is not between 1 and 16", "use e.g. --nodes 3");
    }
    for (String tool : List.of("redis-server", "/usr/sbin/nginx", "openssl")) {
      if (!Executables.onPath(tool)) {
        throw new ConfigException(tool, "is not installed", "install the Debian packages redis-server, nginx and openssl");
      }
    }
    if (!Files.isRegularFile(NginxFront.SHIPPED.resolve("chatroom.conf"))) {
      throw new ConfigException(NginxFront.SHIPPED.resolve("chatroom.conf").toString(), "is not here", "run this from a checkout of chatroom");
    }
    LocalCluster cluster = LocalCluster.start(LocalCluster.Settings.of(databaseUrl, Files.createDirectories(dir).toAbsolutePath())
        .withNodes(nodes));
    System.out.println("chatroom cluster is up; open " + cluster.httpsBase() + "/ (self-signed certificate)");
    for (ClusterNode node : cluster.nodes()) {
      System.out.println("  " + node.name() + "  http://127.0.0.1:" + node.port() + "/  pid " + node.pid() + "  log " + node.log());
    }
    System.out.println("  redis  " + cluster.redis().url() + "   nginx http " + cluster.nginx().httpPort()
        + ", https " + cluster.nginx().httpsPort());
    System.out.println("Ctrl-C stops everything.");
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        cluster.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      stopped.countDown();
    }, "chatroom-cluster-shutdown"));
    stopped.await();
    return 0;
  }
}
