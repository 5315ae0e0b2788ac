package io.chatroom;

import io.chatroom.audit.AuditLog;
import io.chatroom.config.Config;
import io.chatroom.config.ConfigException;
import io.chatroom.config.ConfigFile;
import io.chatroom.monitor.AlertRule;
import io.chatroom.monitor.AlertRules;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloading a running node's configuration (what SIGHUP does): the environment of a process cannot change,
 * so a reload re-reads {@code CHATROOM_CONFIG_FILE} over it, validates everything as start-up would, and only
 * then applies the {@link #LIVE} settings. A file that does not validate changes nothing and is reported in
 * one log line. Every other changed setting is logged as needing a restart. Each reload is audited (actor
 * {@code system}, action {@code config.reload}, the changed names: never a value).
 *
 * <p>Alert rules are re-read from {@code ALERT_RULES_FILE} on every reload, changed name or not.
 */
public final class ConfigReload {
  private static final Logger log = LoggerFactory.getLogger(ConfigReload.class);
  /** The settings a reload applies to a running node. */
  public static final Set<String> LIVE = Set.of("LOG_LEVEL", "CHATROOM_WS_RATE", "CHATROOM_WS_BURST",
      "CHATROOM_API_RATE", "CHATROOM_API_BURST", "ALERT_RULES_FILE");

  private final ChatServer server;
  private final Function<Map<String, String>, Config> load;
  /** The settings in effect: those the node started with, the live ones as last applied. */
  private final Map<String, String> effective;

  /**
   * What a reload did.
   *
   * @param refusal      the one-line reason nothing changed, or null when the reload was applied
   * @param changed      every setting whose value differs from the one in effect
   * @param applied      those applied now
   * @param needsRestart those that take effect only after a restart
   */
  public record Outcome(String refusal, Set<String> changed, Set<String> applied, Set<String> needsRestart) {
    public boolean ok() {
      return refusal == null;
    }
  }

  /**
   * @param startEnv the environment the node started with, the config file read over it
   * @param load     resolves settings as start-up did (the same flags): {@code Config.load(flags, env)}
   */
  public ConfigReload(ChatServer server, Map<String, String> startEnv, Function<Map<String, String>, Config> load) {
    this.server = server;
    this.load = load;
    this.effective = new LinkedHashMap<>(withoutBlanks(startEnv));
  }

  /**
   * Re-reads the config file named in {@code env} (the process environment) and applies what can be. Returns
   * once applied and audited. Blocking (file and database): call off the event loop, as the signal thread does.
   */
  public synchronized Outcome reload(Map<String, String> env) {
    Map<String, String> next;
    Config config;
    List<AlertRule> rules;
    try {
      Map<String, String> merged = ConfigFile.over(env);
      config = load.apply(merged); // the file is read once: load() takes the merged settings as they are
      next = withoutBlanks(merged);
      rules = config.observability().alertRulesFile() == null
          ? AlertRules.defaults(server.config().observability().maxConnections())
          : AlertRules.load(config.observability().alertRulesFile());
    } catch (ConfigException e) {
      log.warn("configuration reload refused, nothing changed: {}", e.getMessage());
      audit(Map.of("refused", true));
      return new Outcome(e.getMessage(), Set.of(), Set.of(), Set.of());
    }
    Set<String> changed = new TreeSet<>();
    for (String key : union(effective.keySet(), next.keySet())) {
      if (!Objects.equals(effective.get(key), next.get(key))) {
        changed.add(key);
      }
    }
    Set<String> applied = new TreeSet<>(changed);
    applied.retainAll(LIVE);
    Set<String> needsRestart = new TreeSet<>(changed);
    needsRestart.removeAll(LIVE);

    server.applyLive(config, rules);
    for (String key : applied) {
      if (next.containsKey(key)) {
        effective.put(key, next.get(key));
      } else {
        effective.remove(key);
      }
    }
    log.info("configuration reloaded: applied {}; log level {}, frames {}/s burst {}, API {}/s burst {}, {} alert rules{}",
        applied.isEmpty() ? "no changed setting" : String.join(", ", applied), config.logLevel(), config.wsRatePerSecond(),
        config.wsBurst(), config.apiRatePerSecond(), config.apiBurst(), rules.size(),
        needsRestart.isEmpty() ? "" : "; needs a restart: " + String.join(", ", needsRestart));
    Map<String, Object> detail = new LinkedHashMap<>();
    detail.put("changed", changed);
    detail.put("applied", applied);
    detail.put("needs_restart", needsRestart);
    detail.put("alert_rules", rules.size());
    audit(detail);
    return new Outcome(null, changed, applied, needsRestart);
  }

  private void audit(Map<String, ?> detail) {
    String node = server.config().observability().nodeId();
    String file = effective.getOrDefault(ConfigFile.SETTING, "environment");
    try {
      server.database().transaction(c -> AuditLog.append(c, AuditLog.Actor.system(node), AuditLog.Action.CONFIG_RELOAD, file, detail))
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      log.warn("could not audit the configuration reload: {}", (e.getCause() == null ? e : e.getCause()).toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Blank values mean unset (as in {@link Config}), so they compare equal to an absent name. */
  private static Map<String, String> withoutBlanks(Map<String, String> env) {
    Map<String, String> out = new LinkedHashMap<>();
    env.forEach((k, v) -> {
      if (v != null && !v.isBlank()) {
        out.put(k, v.trim());
      }
    });
    return out;
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> all = new TreeSet<>(a);
    all.addAll(b);
    return all;
  }
}
