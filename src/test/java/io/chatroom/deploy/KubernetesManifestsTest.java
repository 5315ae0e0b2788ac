package io.chatroom.deploy;

import static io.chatroom.deploy.DeployFiles.K8S;
import static io.chatroom.deploy.DeployFiles.YAML;
import static io.chatroom.deploy.DeployFiles.accepted;
import static io.chatroom.deploy.DeployFiles.assertRunsServe;
import static io.chatroom.deploy.DeployFiles.dockerEnv;
import static io.chatroom.deploy.DeployFiles.entrypoint;
import static io.chatroom.deploy.DeployFiles.jsonList;
import static io.chatroom.deploy.DeployFiles.last;
import static io.chatroom.deploy.DeployFiles.readYaml;
import static io.chatroom.deploy.DeployFiles.runtime;
import static io.chatroom.deploy.DeployFiles.seconds;
import static io.chatroom.deploy.DeployFiles.serverReads;
import static io.chatroom.deploy.DeployFiles.shutdownSeconds;
import static io.chatroom.deploy.DeployFiles.strings;
import static io.chatroom.deploy.DeployFiles.variablesIn;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/k8s/ agrees with the image and the server: the kustomization lists every manifest, probes, Service and Ingress
 * reach the server's port, selectors match the pods, the autoscaler and disruption budget target the Deployment, pods
 * outlast their shutdown, and the pods' environment is what the server reads and accepts. No cluster or container
 * engine runs here, so the manifests are parsed and checked against the Dockerfile and
 * {@link io.chatroom.config.Config}; see {@link DeployFiles}.
 */
class KubernetesManifestsTest {
  @TempDir
  Path tmp;

  @Test
  void k8sManifestsParseAndHaveEveryKindTheKustomizationLists() throws IOException {
    Set<String> kinds = new TreeSet<>();
    manifests().forEach(m -> kinds.add(m.path("kind").asText()));
    assertThat(kinds).contains("Deployment", "Service", "Ingress", "HorizontalPodAutoscaler", "PodDisruptionBudget", "ConfigMap", "Secret");
    JsonNode kustomization = readYaml(K8S.resolve("kustomization.yaml"));
    Set<String> listed = new TreeSet<>();
    kustomization.path("resources").forEach(r -> listed.add(r.asText()));
    try (Stream<Path> files = Files.list(K8S)) {
      Set<String> manifests = new TreeSet<>(files.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".yaml") && !n.equals("kustomization.yaml") && !n.contains(".example.")).toList());
      assertThat(listed).as("kustomization resources (examples stay out)").isEqualTo(manifests);
    }
  }

  @Test
  void k8sProbesAndServiceReachTheServersPort() {
    JsonNode deployment = kind("Deployment");
    JsonNode container = deployment.at("/spec/template/spec/containers/0");
    int port = accepted(tmp, podEnvironment(container), "the Deployment's pods").port();
    assertThat(container.findValues("containerPort").stream().map(JsonNode::asInt)).contains(port);
    assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/health/ready");
    assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/health");
    for (String probe : List.of("readinessProbe", "livenessProbe", "startupProbe")) {
      if (container.has(probe)) {
        assertThat(containerPort(container, container.path(probe).at("/httpGet/port"))).as(probe).isEqualTo(port);
      }
    }
    JsonNode service = kind("Service");
    service.at("/spec/ports").forEach(p -> assertThat(containerPort(container, p.path("targetPort"))).isEqualTo(port));
    JsonNode backend = kind("Ingress").at("/spec/rules/0/http/paths/0/backend/service");
    assertThat(backend.path("name").asText()).isEqualTo(service.at("/metadata/name").asText());
    JsonNode wanted = backend.path("port");
    assertThat(service.at("/spec/ports")).as("the Service has the Ingress's port %s", wanted)
        .anyMatch(p -> wanted.has("name") ? p.path("name").equals(wanted.path("name")) : p.path("port").equals(wanted.path("number")));
    assertRunsServe(jsonList(container.path("args")), "the Deployment");
  }

  @Test
  void k8sSelectorsMatchThePodsAndTheAutoscalerAndBudgetTargetTheDeployment() {
    JsonNode deployment = kind("Deployment");
    Map<String, String> podLabels = strings(deployment.at("/spec/template/metadata/labels"));
    assertThat(podLabels).containsAllEntriesOf(strings(deployment.at("/spec/selector/matchLabels")));
    assertThat(podLabels).as("Service selector").containsAllEntriesOf(strings(kind("Service").at("/spec/selector")));
    JsonNode pdb = kind("PodDisruptionBudget");
    assertThat(strings(pdb.at("/spec/selector/matchLabels"))).isNotEmpty();
    assertThat(podLabels).as("PodDisruptionBudget selector").containsAllEntriesOf(strings(pdb.at("/spec/selector/matchLabels")));
    JsonNode hpa = kind("HorizontalPodAutoscaler");
    assertThat(hpa.path("apiVersion").asText()).isEqualTo("autoscaling/v2");
    assertThat(hpa.at("/spec/scaleTargetRef/kind").asText()).isEqualTo("Deployment");
    assertThat(hpa.at("/spec/scaleTargetRef/name").asText()).isEqualTo(deployment.at("/metadata/name").asText());
    assertThat(hpa.at("/spec/metrics").findValuesAsText("name")).contains("cpu");
    assertThat(hpa.at("/spec/minReplicas").asInt()).as("a pod's clients need another pod to go to").isGreaterThanOrEqualTo(2);
    assertThat(deployment.at("/spec/replicas").isMissingNode()).as("replicas belong to the autoscaler").isTrue();
  }

  @Test
  void k8sPodsOutlastTheirShutdownAndRunAsTheImagesUser() {
    JsonNode pod = kind("Deployment").at("/spec/template/spec");
    List<String> preStop = jsonList(pod.at("/containers/0/lifecycle/preStop/exec/command"));
    assertThat(preStop).as("preStop sleeps while the endpoint is removed").hasSize(2).startsWith("sleep");
    long sleep = seconds(preStop.get(1));
    assertThat(sleep).isPositive();
    assertThat(pod.path("terminationGracePeriodSeconds").asLong()).isGreaterThanOrEqualTo(sleep + shutdownSeconds());
    String user = last(runtime(), "USER").split(":")[0];
    assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
    assertThat(pod.at("/securityContext/runAsUser").asText()).as("the image's numeric USER").isEqualTo(user);
  }

  @Test
  void k8sEnvironmentIsWhatTheServerReadsAndAccepts() {
    JsonNode container = kind("Deployment").at("/spec/template/spec/containers/0");
    Set<String> allowed = new TreeSet<>(serverReads(tmp));
    allowed.addAll(variablesIn(String.join(" ", entrypoint())));
    for (JsonNode from : container.path("envFrom")) {
      String kind = from.has("configMapRef") ? "ConfigMap" : "Secret";
      String name = from.findValue("name").asText();
      assertThat(manifests()).as("%s %s exists", kind, name)
          .anyMatch(m -> m.path("kind").asText().equals(kind) && m.at("/metadata/name").asText().equals(name));
    }
    assertThat(allowed).containsAll(podSettings(container).keySet());
    accepted(tmp, podEnvironment(container), "the Deployment's pods");
  }

  @Test
  void k8sIngressKeepsWebSocketsOpenForAnHour() {
    JsonNode annotations = kind("Ingress").at("/metadata/annotations");
    for (String timeout : List.of("proxy-read-timeout", "proxy-send-timeout")) {
      assertThat(annotations.path("nginx.ingress.kubernetes.io/" + timeout).asLong()).as(timeout).isGreaterThanOrEqualTo(3600);
    }
  }

  // ================================================================ helpers

  static List<JsonNode> manifests() {
    List<JsonNode> docs = new ArrayList<>();
    try (Stream<Path> files = Files.list(K8S)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        try (var values = YAML.readerFor(JsonNode.class).<JsonNode>readValues(f.toFile())) {
          values.readAll().stream().filter(d -> d != null && !d.isNull() && !d.isMissingNode()).forEach(docs::add);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return docs;
  }

  static JsonNode kind(String kind) {
    List<JsonNode> found = manifests().stream().filter(m -> m.path("kind").asText().equals(kind)).toList();
    assertThat(found).as("manifests of kind %s", kind).hasSize(1);
    return found.get(0);
  }

  /** What the server in the pod sees: the image's ENV, then the pod's settings. */
  static Map<String, String> podEnvironment(JsonNode container) {
    Map<String, String> env = new HashMap<>(dockerEnv());
    env.putAll(podSettings(container));
    return env;
  }

  /** The pod's settings: its ConfigMap and Secret (as envFrom, in order), then its own env entries. */
  static Map<String, String> podSettings(JsonNode container) {
    Map<String, String> env = new LinkedHashMap<>();
    for (JsonNode from : container.path("envFrom")) {
      String kind = from.has("configMapRef") ? "ConfigMap" : "Secret";
      String name = from.findValue("name").asText();
      manifests().stream().filter(m -> m.path("kind").asText().equals(kind) && m.at("/metadata/name").asText().equals(name))
          .forEach(m -> env.putAll(strings(kind.equals("ConfigMap") ? m.path("data") : m.path("stringData"))));
    }
    for (JsonNode e : container.path("env")) {
      env.put(e.path("name").asText(), e.has("value") ? e.path("value").asText() : "from-" + e.path("valueFrom").fieldNames().next());
    }
    return env;
  }

  /** A probe's or Service's port, by number or by the name of one of the container's ports. */
  static int containerPort(JsonNode container, JsonNode port) {
    if (port.isInt()) {
      return port.asInt();
    }
    for (JsonNode p : container.path("ports")) {
      if (p.path("name").asText().equals(port.asText())) {
        return p.path("containerPort").asInt();
      }
    }
    throw new AssertionError("the container has no port named " + port);
  }
}
