package io.chatroom.deploy;

import static io.chatroom.deploy.DeployFiles.DEPLOY;
import static io.chatroom.deploy.DeployFiles.ROOT;
import static io.chatroom.deploy.DeployFiles.readYaml;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * docs/operations.md has a heading for every alert in deploy/monitoring/alert_rules.yml, so whoever an alert pages finds
 * what to do about it. Read from the files alone: no Prometheus or container engine runs here.
 */
class OperationsRunbookTest {
  @Test
  void operationsRunbookAnswersEveryPrometheusAlert() throws IOException {
    String runbook = Files.readString(ROOT.resolve("docs/operations.md"));
    Set<String> alerts = new TreeSet<>(readYaml(DEPLOY.resolve("monitoring/alert_rules.yml")).findValuesAsText("alert"));
    assertThat(alerts).isNotEmpty();
    for (String alert : alerts) {
      assertThat(runbook).as("docs/operations.md has a heading for %s", alert).containsPattern("(?m)^#+ +`?" + alert + "`?\\s*$");
    }
  }
}
