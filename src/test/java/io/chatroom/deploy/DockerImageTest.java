package io.chatroom.deploy;

import static io.chatroom.deploy.DeployFiles.ROOT;
import static io.chatroom.deploy.DeployFiles.accepted;
import static io.chatroom.deploy.DeployFiles.assertRunsServe;
import static io.chatroom.deploy.DeployFiles.dockerEnv;
import static io.chatroom.deploy.DeployFiles.dockerStages;
import static io.chatroom.deploy.DeployFiles.entrypoint;
import static io.chatroom.deploy.DeployFiles.interpolate;
import static io.chatroom.deploy.DeployFiles.jsonArray;
import static io.chatroom.deploy.DeployFiles.last;
import static io.chatroom.deploy.DeployFiles.matches;
import static io.chatroom.deploy.DeployFiles.runtime;
import static io.chatroom.deploy.DeployFiles.single;
import static io.chatroom.deploy.DeployFiles.tokensAfterJar;
import static org.assertj.core.api.Assertions.assertThat;

import io.chatroom.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The Dockerfile and .dockerignore build an image that runs the server's {@code serve} subcommand from the jar Maven
 * builds, as an unprivileged user, on the port the server listens on, with a health check and volumes for its data and
 * logs. No container engine runs here, so nothing is built: the Dockerfile is parsed and its environment, entrypoint and
 * command are handed to the server's own config and command-line parsing; see {@link DeployFiles}.
 */
class DockerImageTest {
  @TempDir
  Path tmp;

  @Test
  void serveIsARealSubcommand() {
    StringWriter out = new StringWriter();
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(new PrintWriter(out, true));
    assertThat(cli.execute("serve", "--help")).isZero();
    assertThat(out.toString()).contains("Usage: chatroom serve").contains("--port");
  }

  @Test
  void dockerfileBuildsInOneStageAndRunsAsAnUnprivilegedUserInAnother() {
    List<List<String[]>> stages = dockerStages();
    assertThat(stages).as("FROM stages").hasSizeGreaterThanOrEqualTo(2);
    assertThat(stages.get(0)).as("the build stage runs the Maven package")
        .anyMatch(i -> i[0].equals("RUN") && i[1].contains("mvn ") && i[1].contains(" package"));
    String user = last(runtime(), "USER");
    assertThat(user).as("USER of the runtime stage").isNotNull();
    assertThat(user.split(":")[0]).isNotIn("root", "0");
  }

  @Test
  void dockerfileServesOnTheServersPortWithAHealthCheckAndVolumes() {
    Map<String, String> imageEnv = dockerEnv();
    int port = accepted(tmp, imageEnv, "the image's environment").port();
    assertThat(last(runtime(), "EXPOSE").split("\\s+")).contains(String.valueOf(port));
    String health = last(runtime(), "HEALTHCHECK");
    assertThat(health).contains(" CMD ");
    // the shell expands ${CHATROOM_PORT:-...} in the container's environment, the image's ENV
    URI probe = single(matches(health, "(https?://[^\\s\"']+)"), url -> URI.create(interpolate(url, imageEnv)));
    assertThat(probe.getPort()).as("health check port").isEqualTo(port);
    assertThat(probe.getPath()).isEqualTo("/health");
    String volumes = last(runtime(), "VOLUME");
    assertThat(volumes).as("VOLUME holds the data dir").contains("\"" + imageEnv.get("CHATROOM_DATA_DIR") + "\"");
    assertThat(volumes).as("VOLUME holds LOG_DIR").contains("\"" + imageEnv.get("LOG_DIR") + "\"");
    assertThat(imageEnv.get("JAVA_OPTS")).contains("MaxRAMPercentage");
  }

  @Test
  void dockerfileRunsServeFromTheJarMavenBuilds() throws IOException {
    String finalName = single(matches(Files.readString(ROOT.resolve("pom.xml")), "<finalName>([^<]+)</finalName>"));
    String copy = runtime().stream().filter(i -> i[0].equals("COPY") && i[1].startsWith("--from=")).map(i -> i[1])
        .filter(a -> a.contains("target/" + finalName + ".jar")).findFirst().orElseThrow(() -> new AssertionError("no COPY of the jar"));
    String jar = copy.substring(copy.lastIndexOf(' ') + 1);
    List<String> entrypoint = entrypoint();
    String shell = String.join(" ", entrypoint);
    assertThat(shell).contains("-jar " + jar).contains("exec java");
    List<String> cmd = jsonArray(last(runtime(), "CMD"));
    List<String> args = shell.contains("\"$@\"") ? cmd : tokensAfterJar(shell + " " + String.join(" ", cmd));
    assertRunsServe(args, "the image");
  }

  @Test
  void dockerIgnoreKeepsBuildOutputAndSecretsOutButNotTheSources() throws IOException {
    List<String> patterns = Files.readAllLines(ROOT.resolve(".dockerignore")).stream().map(String::trim)
        .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    for (String excluded : List.of("target", ".git", ".env", "node_modules", "cluster", "data")) {
      assertThat(ignored(patterns, excluded)).as(".dockerignore leaves out %s", excluded).isTrue();
    }
    for (String[] i : dockerStages().stream().flatMap(List::stream).toList()) {
      if (i[0].equals("COPY") && !i[1].startsWith("--from=")) {
        String[] parts = i[1].split("\\s+");
        for (String source : Arrays.copyOf(parts, parts.length - 1)) {
          assertThat(ROOT.resolve(source)).exists();
          assertThat(ignored(patterns, source)).as(".dockerignore keeps %s, which the build copies", source).isFalse();
        }
      }
    }
  }

  static boolean ignored(List<String> patterns, String path) {
    boolean ignored = false;
    for (String p : patterns) {
      boolean negated = p.startsWith("!");
      String glob = (negated ? p.substring(1) : p).replaceAll("/+$", "");
      var matcher = FileSystems.getDefault().getPathMatcher("glob:" + glob);
      for (Path prefix = Path.of(path); prefix != null; prefix = prefix.getParent()) {
        if (matcher.matches(prefix) || (glob.startsWith("**/") && prefix.getFileName().toString().equals(glob.substring(3)))) {
          ignored = !negated;
          break;
        }
      }
    }
    return ignored;
  }
}
