package io.chatroom.deploy;

import static io.chatroom.deploy.DeployFiles.UNIT;
import static io.chatroom.deploy.DeployFiles.UNIT_ENV;
import static io.chatroom.deploy.DeployFiles.accepted;
import static io.chatroom.deploy.DeployFiles.assertRunsServe;
import static io.chatroom.deploy.DeployFiles.assignments;
import static io.chatroom.deploy.DeployFiles.matches;
import static io.chatroom.deploy.DeployFiles.seconds;
import static io.chatroom.deploy.DeployFiles.serverReads;
import static io.chatroom.deploy.DeployFiles.shutdownSeconds;
import static io.chatroom.deploy.DeployFiles.tokensAfterJar;
import static io.chatroom.deploy.DeployFiles.variablesIn;
import static io.chatroom.deploy.DeployFiles.words;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/systemd/ runs the server's {@code serve} subcommand as an unprivileged user with room for connections, treats
 * the drain's exit status as success and waits long enough for it, and gives the server only settings it reads and
 * accepts. No systemd (or container engine) runs here, so the unit and its environment file are read and checked against
 * the server; see {@link DeployFiles}.
 */
class SystemdUnitTest {
  @TempDir
  Path tmp;

  @Test
  void systemdUnitRunsServeAsAnUnprivilegedUserWithRoomForConnections() {
    Map<String, List<String>> unit = unit();
    String exec = one(unit, "ExecStart");
    assertRunsServe(tokensAfterJar(exec), "ExecStart");
    assertThat(one(unit, "User")).isNotBlank().isNotIn("root", "0");
    assertThat(one(unit, "Restart")).isEqualTo("on-failure");
    String nofile = one(unit, "LimitNOFILE");
    assertThat(nofile.equals("infinity") || Long.parseLong(nofile) >= 65536).as("LimitNOFILE=%s", nofile).isTrue();
    assertThat(unit.get("EnvironmentFile")).contains("/etc/chatroom/chatroom.env");
  }

  @Test
  void systemdUnitTreatsTheDrainExitAsSuccessAndWaitsForIt() {
    Map<String, List<String>> unit = unit();
    assertThat(one(unit, "SuccessExitStatus").split("\\s+")).contains("143");
    assertThat(seconds(one(unit, "TimeoutStopSec"))).isGreaterThanOrEqualTo(shutdownSeconds());
  }

  @Test
  void systemdEnvironmentIsWhatTheServerReadsAndAccepts() throws IOException {
    Map<String, List<String>> unit = unit();
    Set<String> allowed = new TreeSet<>(serverReads(tmp));
    allowed.addAll(variablesIn(one(unit, "ExecStart")));
    Map<String, String> env = new LinkedHashMap<>();
    for (String assignment : unit.getOrDefault("Environment", List.of())) {
      for (String word : words(assignment)) {
        env.put(word.substring(0, word.indexOf('=')), word.substring(word.indexOf('=') + 1));
      }
    }
    env.putAll(assignments(Files.readAllLines(UNIT_ENV)));
    assertThat(allowed).containsAll(env.keySet());
    assertThat(allowed).as("settings suggested in comments").containsAll(matches(Files.readString(UNIT_ENV), "(?m)^#([A-Z_]+)="));
    accepted(tmp, env, UNIT_ENV.toString());
  }

  // ================================================================ helpers

  /** The unit's settings, every section together: name to each value given (in order). */
  static Map<String, List<String>> unit() {
    Map<String, List<String>> unit = new HashMap<>();
    try {
      for (String line : Files.readAllLines(UNIT)) {
        String l = line.trim();
        if (!l.isEmpty() && !l.startsWith("#") && !l.startsWith(";") && !l.startsWith("[")) {
          unit.computeIfAbsent(l.substring(0, l.indexOf('=')).trim(), k -> new ArrayList<>()).add(l.substring(l.indexOf('=') + 1).trim());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return unit;
  }

  static String one(Map<String, List<String>> unit, String key) {
    List<String> values = unit.getOrDefault(key, List.of());
    assertThat(values).as("%s= in %s", key, UNIT.getFileName()).hasSize(1);
    return values.get(0);
  }
}
