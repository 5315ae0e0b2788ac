package io.chatroom.deploy;

import static io.chatroom.deploy.DeployFiles.COMPOSE;
import static io.chatroom.deploy.DeployFiles.DEPLOY;
import static io.chatroom.deploy.DeployFiles.ENV_EXAMPLE;
import static io.chatroom.deploy.DeployFiles.ROOT;
import static io.chatroom.deploy.DeployFiles.VARIABLE;
import static io.chatroom.deploy.DeployFiles.accepted;
import static io.chatroom.deploy.DeployFiles.assignments;
import static io.chatroom.deploy.DeployFiles.dockerEnv;
import static io.chatroom.deploy.DeployFiles.entrypoint;
import static io.chatroom.deploy.DeployFiles.interpolate;
import static io.chatroom.deploy.DeployFiles.matches;
import static io.chatroom.deploy.DeployFiles.readYaml;
import static io.chatroom.deploy.DeployFiles.seconds;
import static io.chatroom.deploy.DeployFiles.serverReads;
import static io.chatroom.deploy.DeployFiles.shutdownSeconds;
import static io.chatroom.deploy.DeployFiles.single;
import static io.chatroom.deploy.DeployFiles.strings;
import static io.chatroom.deploy.DeployFiles.variablesIn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.chatroom.config.Config;
import io.chatroom.config.DatabaseUrl;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/compose.yml with deploy/compose/ agrees with the server and with itself: every service is health-checked and
 * waits for healthy dependencies, what it mounts or builds from exists, every variable is in .env.example, the chat
 * nodes get only settings the server reads and accepts, and nginx, Prometheus, Alertmanager and Grafana find the nodes
 * and files they are given. No container engine runs here, so the files are read and checked against each other and
 * against {@link Config}; see {@link DeployFiles}.
 *
 * <p>The compose variants of the monitoring files are checked with promtool and amtool when installed (skipped with a
 * notice otherwise, except under CI=true, as in MonitoringConfigTest).
 */
class ComposeStackTest {
  @TempDir
  Path tmp;

  @Test
  void everyComposeServiceIsHealthCheckedAndWaitsForHealthyDependencies() {
    JsonNode services = compose().get("services");
    services.fields().forEachRemaining(s -> {
      JsonNode check = s.getValue().path("healthcheck");
      assertThat(check.path("test").isMissingNode() || check.path("disable").asBoolean()).as("%s has no health check", s.getKey())
          .isFalse();
      assertThat(check.path("test").toString()).as("%s health check", s.getKey()).doesNotContain("NONE");
      JsonNode deps = s.getValue().path("depends_on");
      assertThat(deps.isArray()).as("%s: depends_on as a map, each with a condition", s.getKey()).isFalse();
      deps.fields().forEachRemaining(d -> {
        assertThat(services.has(d.getKey())).as("%s depends on unknown service %s", s.getKey(), d.getKey()).isTrue();
        assertThat(d.getValue().path("condition").asText()).as("%s -> %s", s.getKey(), d.getKey()).isEqualTo("service_healthy");
      });
    });
  }

  @Test
  void everythingComposeMountsOrBuildsFromExists() {
    JsonNode compose = compose();
    compose.get("services").fields().forEachRemaining(s -> {
      for (Mount m : mounts(s.getValue())) {
        if (m.fromRepo()) {
          assertThat(m.repoPath()).as("%s mounts %s", s.getKey(), m.source()).exists();
        } else if (!m.source().startsWith("/")) {
          assertThat(compose.path("volumes").has(m.source())).as("%s: named volume %s is declared", s.getKey(), m.source()).isTrue();
        }
      }
      JsonNode build = s.getValue().path("build");
      if (!build.isMissingNode()) {
        Path context = DEPLOY.resolve(build.path("context").asText(".")).normalize();
        assertThat(context.resolve(build.path("dockerfile").asText("Dockerfile"))).as("%s builds", s.getKey()).isRegularFile();
      }
    });
  }

  @Test
  void everyVariableComposeUsesIsInEnvExample() {
    Set<String> defined = envExampleRaw().keySet();
    Set<String> used = new TreeSet<>();
    strings(compose(), s -> used.addAll(variablesIn(s)));
    assertThat(used).isNotEmpty();
    assertThat(defined).containsAll(used);
  }

  @Test
  void envExampleRefersOnlyToNamesDefinedAboveThem() {
    Set<String> above = new LinkedHashSet<>();
    envExampleRaw().forEach((name, value) -> {
      assertThat(above).as("%s refers to", name).containsAll(variablesIn(value));
      above.add(name);
    });
  }

  @Test
  void chatNodesGetOnlySettingsTheServerReadsAndTheServerAcceptsThem() {
    Set<String> allowed = new TreeSet<>(serverReads(tmp));
    allowed.addAll(variablesIn(String.join(" ", entrypoint())));
    Map<String, JsonNode> nodes = chatNodes();
    assertThat(nodes).hasSizeGreaterThanOrEqualTo(2);
    Set<String> ids = new LinkedHashSet<>();
    nodes.forEach((name, node) -> {
      Map<String, String> env = environment(node);
      assertThat(allowed).as("settings given to %s", name).containsAll(env.keySet());
      Config config = accepted(tmp, nodeEnvironment(node), "compose service " + name);
      ids.add(config.observability().nodeId());
      assertThat(config.database().kind()).as("%s shares PostgreSQL", name).isEqualTo(DatabaseUrl.Kind.POSTGRES);
      assertThat(config.redisUrl()).as("%s shares Redis", name).isNotNull();
      assertThat(config.jwtSecret()).as("%s signs with the shared JWT_SECRET", name).isNotNull();
    });
    assertThat(ids).as("CHATROOM_NODE_ID of each node").hasSameSizeAs(nodes.keySet());
  }

  @Test
  void chatNodesAreTheSameButForTheirName() {
    Map<String, JsonNode> nodes = chatNodes();
    Set<String> shapes = new LinkedHashSet<>();
    nodes.forEach((name, node) -> shapes.add(node.toString().replace(name, "<node>")));
    assertThat(shapes).as("the nodes, each with its own name replaced").hasSize(1);
  }

  @Test
  void chatNodesAreHealthCheckedAndStoppedOnTheServersTerms() {
    chatNodes().forEach((name, node) -> {
      int port = accepted(tmp, nodeEnvironment(node), name).port();
      URI probe = single(matches(node.path("healthcheck").path("test").toString(), "(https?://[^\\s\"']+)"), URI::create);
      assertThat(probe.getPort()).as("%s health check port", name).isEqualTo(port);
      assertThat(probe.getPath()).as("%s health check", name).isIn("/health", "/health/ready");
      assertThat(seconds(node.path("stop_grace_period").asText("10s"))).as("%s stop_grace_period", name)
          .isGreaterThanOrEqualTo(shutdownSeconds());
    });
  }

  @Test
  void nginxLoadsTheShippedConfigurationWithTheComposeNodeList() throws IOException {
    Path shipped = DEPLOY.resolve("nginx/chatroom.conf");
    Map.Entry<String, JsonNode> nginx = serviceMounting(shipped);
    List<Mount> mounts = mounts(nginx.getValue());
    String upstreamName = single(matches(Files.readString(shipped), "proxy_pass\\s+https?://([A-Za-z0-9_]+)"));
    List<Mount> upstreams = new ArrayList<>();
    for (Mount m : mounts) {
      if (m.fromRepo() && Files.isRegularFile(m.repoPath())
          && Files.readString(m.repoPath()).matches("(?s).*\\bupstream\\s+" + upstreamName + "\\s*\\{.*")) {
        upstreams.add(m);
      }
    }
    assertThat(upstreams).as("a mounted file defines upstream %s", upstreamName).hasSize(1);
    Mount upstream = upstreams.get(0);
    assertThat(upstream.repoPath()).as("compose brings its own node list").isNotEqualTo(DEPLOY.resolve("nginx/upstream.conf"));

    Map<String, Integer> nodePorts = new HashMap<>();
    chatNodes().forEach((name, node) -> nodePorts.put(name, accepted(tmp, nodeEnvironment(node), name).port()));
    Map<String, Integer> servers = new HashMap<>();
    Matcher server = Pattern.compile("(?m)^\\s*server\\s+([^\\s:;]+):(\\d+)").matcher(Files.readString(upstream.repoPath()));
    while (server.find()) {
      servers.put(server.group(1), Integer.parseInt(server.group(2)));
    }
    assertThat(servers).as("servers of %s", upstream.source()).isEqualTo(nodePorts);

    Mount chatroomConf = mounts.stream().filter(m -> shipped.equals(m.repoPath())).findFirst().orElseThrow();
    Mount main = mounts.stream().filter(m -> m.target().equals("/etc/nginx/nginx.conf")).findFirst().orElse(null);
    for (Mount loaded : List.of(upstream, chatroomConf)) {
      if (main != null) {
        assertThat(matches(Files.readString(main.repoPath()), "(?m)^\\s*include\\s+([^;\\s]+)\\s*;"))
            .as("%s includes %s", main.source(), loaded.target()).contains(loaded.target());
      } else {
        assertThat(loaded.target()).as("the stock nginx.conf includes conf.d/*.conf").matches("/etc/nginx/conf\\.d/[^/]+\\.conf");
      }
    }
  }

  @Test
  void nginxHasEveryPathTheShippedConfigurationUses() throws IOException {
    Path shipped = DEPLOY.resolve("nginx/chatroom.conf");
    List<Mount> mounts = mounts(serviceMounting(shipped).getValue());
    List<String> paths = matches(Files.readString(shipped),
        "(?m)^\\s*(?:ssl_certificate|ssl_certificate_key|proxy_cache_path|root)\\s+([^;\\s]+)");
    assertThat(paths).hasSizeGreaterThanOrEqualTo(4);
    for (String path : paths) {
      assertThat(mounts).as("a mount holds %s", path)
          .anyMatch(m -> path.equals(m.target()) || path.startsWith(m.target() + "/"));
    }
  }

  @Test
  void composePrometheusScrapesEveryShippedJobWhoseTargetsAreInTheStack() {
    JsonNode compose = compose();
    Map.Entry<String, JsonNode> prometheus = serviceByImage("prom/prometheus");
    String configPath = flag(prometheus.getValue().path("command"), "--config.file");
    Mount config = mountAt(prometheus.getValue(), configPath);
    Map<String, List<String>> shipped = jobs(readYaml(DEPLOY.resolve("monitoring/prometheus.yml")));
    JsonNode variant = readYaml(config.repoPath());
    Map<String, List<String>> expected = new LinkedHashMap<>();
    shipped.forEach((job, targets) -> {
      if (targets.stream().allMatch(t -> inStack(compose, t))) {
        expected.put(job, targets);
      }
    });
    assertThat(jobs(variant)).isEqualTo(expected);
    variant.path("alerting").findValues("targets").forEach(ts -> ts.forEach(t ->
        assertThat(inStack(compose, t.asText())).as("alertmanager %s", t.asText()).isTrue()));
    variant.path("rule_files").forEach(f -> mountAt(prometheus.getValue(), Path.of(configPath).resolveSibling(f.asText()).toString()));
    Map<String, JsonNode> nodes = chatNodes();
    jobs(variant).values().stream().flatMap(List::stream).map(t -> URI.create("http://" + t))
        .filter(t -> nodes.containsKey(t.getHost()))
        .forEach(t -> assertThat(t.getPort()).as("%s", t).isEqualTo(accepted(tmp, nodeEnvironment(nodes.get(t.getHost())), t.getHost()).port()));
  }

  @Test
  void composeAlertmanagerPostsToTheNodesWithTheirToken() {
    Map.Entry<String, JsonNode> am = serviceByImage("prom/alertmanager");
    String start = am.getValue().path("entrypoint").toString() + am.getValue().path("command").toString();
    String configPath = single(matches(start, "--config\\.file=([^\\s\"]+)"));
    JsonNode config = readYaml(mountAt(am.getValue(), configPath).repoPath());
    List<JsonNode> webhooks = config.findValues("webhook_configs");
    assertThat(webhooks).isNotEmpty();
    Map<String, JsonNode> nodes = chatNodes();
    Set<String> reached = new TreeSet<>();
    Map<String, String> vars = envExampleValues();
    for (JsonNode list : webhooks) {
      for (JsonNode hook : list) {
        URI url = URI.create(hook.path("url").asText());
        JsonNode node = nodes.get(url.getHost());
        assertThat(node).as("%s is a chat node", url).isNotNull();
        assertThat(url.getPort()).as("%s", url).isEqualTo(accepted(tmp, nodeEnvironment(node), url.getHost()).port());
        assertThat(url.getPath()).isEqualTo("/api/alerts/webhook");
        String tokenFile = hook.path("http_config").path("authorization").path("credentials_file").asText();
        assertThat(start).as("the entrypoint writes %s", tokenFile).contains("> " + tokenFile);
        reached.add(url.getHost());
        assertThat(interpolate(environment(am.getValue()).get("ALERTS_WEBHOOK_TOKEN"), vars))
            .as("Alertmanager's token is the node's").isEqualTo(interpolate(environment(node).get("ALERTS_WEBHOOK_TOKEN"), vars));
      }
    }
    assertThat(reached).as("every node receives alerts").isEqualTo(nodes.keySet());
  }

  @Test
  void grafanaFindsItsProvisionedDatasourceAndDashboards() throws IOException {
    JsonNode compose = compose();
    JsonNode grafana = serviceByImage("grafana/").getValue();
    Mount datasources = mountAt(grafana, "/etc/grafana/provisioning/datasources");
    Mount providers = mountAt(grafana, "/etc/grafana/provisioning/dashboards");
    try (Stream<Path> files = Files.list(datasources.repoPath())) {
      for (Path f : files.toList()) {
        readYaml(f).path("datasources").forEach(ds ->
            assertThat(inStack(compose, URI.create(ds.path("url").asText()).getAuthority())).as("datasource %s", ds).isTrue());
      }
    }
    try (Stream<Path> files = Files.list(providers.repoPath())) {
      for (Path f : files.toList()) {
        for (JsonNode provider : readYaml(f).path("providers")) {
          Mount dashboards = mountAt(grafana, provider.path("options").path("path").asText());
          try (Stream<Path> json = Files.list(dashboards.repoPath())) {
            assertThat(json.filter(p -> p.toString().endsWith(".json"))).as("dashboards in %s", dashboards.source()).isNotEmpty();
          }
        }
      }
    }
  }

  @Test
  void composeMonitoringFilesPassPromtoolAndAmtool() throws Exception {
    Map.Entry<String, JsonNode> prometheus = serviceByImage("prom/prometheus");
    String configPath = flag(prometheus.getValue().path("command"), "--config.file");
    Path dir = Files.createDirectories(tmp.resolve("prometheus"));
    for (Mount m : mounts(prometheus.getValue())) {
      if (m.fromRepo() && m.target().startsWith(Path.of(configPath).getParent() + "/")) {
        Files.copy(m.repoPath(), dir.resolve(Path.of(m.target()).getFileName()));
      }
    }
    run(dir, "promtool", "check", "config", dir.resolve(Path.of(configPath).getFileName()).toString());
    Map.Entry<String, JsonNode> am = serviceByImage("prom/alertmanager");
    String amConfig = single(matches(am.getValue().path("entrypoint").toString(), "--config\\.file=([^\\s\"]+)"));
    run(dir, "amtool", "check-config", mountAt(am.getValue(), amConfig).repoPath().toString());
  }

  // ================================================================ helpers: compose and .env.example

  record Mount(String source, String target) {
    boolean fromRepo() {
      return source.startsWith(".");
    }

    Path repoPath() {
      return DEPLOY.resolve(source).normalize();
    }
  }

  static JsonNode compose() {
    return readYaml(COMPOSE);
  }

  /** Services built from the Dockerfile: the chat nodes. */
  static Map<String, JsonNode> chatNodes() {
    Map<String, JsonNode> nodes = new LinkedHashMap<>();
    compose().get("services").fields().forEachRemaining(s -> {
      if (s.getValue().has("build")) {
        nodes.put(s.getKey(), s.getValue());
      }
    });
    return nodes;
  }

  /** What a node's server sees: the image's ENV, overridden by the service's environment after interpolation. */
  static Map<String, String> nodeEnvironment(JsonNode node) {
    Map<String, String> env = new HashMap<>(dockerEnv());
    Map<String, String> vars = envExampleValues();
    environment(node).forEach((k, v) -> env.put(k, interpolate(v, vars)));
    return env;
  }

  static Map<String, String> environment(JsonNode service) {
    Map<String, String> env = new LinkedHashMap<>();
    JsonNode e = service.path("environment");
    if (e.isArray()) {
      e.forEach(item -> env.put(item.asText().split("=", 2)[0], item.asText().contains("=") ? item.asText().split("=", 2)[1] : ""));
    } else {
      e.fields().forEachRemaining(f -> env.put(f.getKey(), f.getValue().isNull() ? "" : f.getValue().asText()));
    }
    return env;
  }

  static List<Mount> mounts(JsonNode service) {
    List<Mount> mounts = new ArrayList<>();
    for (JsonNode v : service.path("volumes")) {
      if (v.isTextual()) {
        String[] parts = v.asText().split(":");
        mounts.add(new Mount(parts[0], parts[1]));
      } else {
        mounts.add(new Mount(v.path("source").asText(), v.path("target").asText()));
      }
    }
    return mounts;
  }

  static Mount mountAt(JsonNode service, String target) {
    return mounts(service).stream().filter(m -> m.target().equals(target)).findFirst()
        .orElseThrow(() -> new AssertionError("nothing is mounted at " + target));
  }

  static Map.Entry<String, JsonNode> serviceMounting(Path repoFile) {
    List<Map.Entry<String, JsonNode>> found = new ArrayList<>();
    compose().get("services").fields().forEachRemaining(s -> {
      if (mounts(s.getValue()).stream().anyMatch(m -> m.fromRepo() && m.repoPath().equals(repoFile))) {
        found.add(s);
      }
    });
    assertThat(found).as("services mounting %s", ROOT.relativize(repoFile)).hasSize(1);
    return found.get(0);
  }

  static Map.Entry<String, JsonNode> serviceByImage(String prefix) {
    List<Map.Entry<String, JsonNode>> found = new ArrayList<>();
    compose().get("services").fields().forEachRemaining(s -> {
      if (s.getValue().path("image").asText().startsWith(prefix)) {
        found.add(s);
      }
    });
    assertThat(found).as("services running %s", prefix).hasSize(1);
    return found.get(0);
  }

  /** host:port (or a bare host) names a service of the stack; localhost is the scraping container itself. */
  static boolean inStack(JsonNode compose, String target) {
    String host = target.contains(":") ? target.substring(0, target.lastIndexOf(':')) : target;
    return host.equals("localhost") || compose.get("services").has(host);
  }

  static Map<String, List<String>> jobs(JsonNode prometheus) {
    Map<String, List<String>> jobs = new LinkedHashMap<>();
    for (JsonNode job : prometheus.path("scrape_configs")) {
      List<String> targets = new ArrayList<>();
      job.findValues("targets").forEach(ts -> ts.forEach(t -> targets.add(t.asText())));
      jobs.put(job.path("job_name").asText(), targets);
    }
    return jobs;
  }

  static String flag(JsonNode args, String name) {
    for (JsonNode a : args) {
      if (a.asText().startsWith(name + "=")) {
        return a.asText().substring(name.length() + 1);
      }
    }
    throw new AssertionError("no " + name + " in " + args);
  }

  /** .env.example as written: name to raw value, in file order. */
  static Map<String, String> envExampleRaw() {
    try {
      return assignments(Files.readAllLines(ENV_EXAMPLE));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * .env.example as Compose would read it once filled in: each value compose.yml requires (${NAME:?...}) but the
   * example leaves empty gets a 48-character secret, as the instructions say; then values are interpolated in order.
   */
  static Map<String, String> envExampleValues() {
    Set<String> required = new TreeSet<>();
    strings(compose(), s -> {
      Matcher m = VARIABLE.matcher(s);
      while (m.find()) {
        if (m.group(2) != null && m.group(2).contains("?")) {
          required.add(m.group(1));
        }
      }
    });
    Map<String, String> values = new LinkedHashMap<>();
    envExampleRaw().forEach((name, raw) ->
        values.put(name, raw.isEmpty() && required.contains(name) ? "0123456789abcdef".repeat(3) : interpolate(raw, values)));
    return values;
  }

  /** Runs a checking tool, as MonitoringConfigTest does: skipped with a notice when missing, except under CI=true. */
  static void run(Path dir, String tool, String... args) throws Exception {
    boolean found = Stream.of(System.getenv().getOrDefault("PATH", "").split(":")).anyMatch(p -> Files.isExecutable(Path.of(p, tool)));
    if (!found) {
      String notice = tool + " is not installed (Debian packages prometheus, prometheus-alertmanager)";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new IllegalStateException(notice + ": CI=true requires it (.ci/run installs it)");
      }
      System.err.println("NOTICE: skipping " + tool + " check: " + notice);
      assumeTrue(false, notice);
    }
    List<String> command = new ArrayList<>(List.of(tool));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s finished", command).isTrue();
    assertThat(p.exitValue()).as("%s:%n%s", command, output).isZero();
  }
}
