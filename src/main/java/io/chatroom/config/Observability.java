package io.chatroom.config;

import java.nio.file.Path;
import java.util.Set;

/**
 * Settings for logs, tracing, the built-in monitor, alerting and load shedding.
 *
 * @param nodeId              names this node in monitor samples and alerts (CHATROOM_NODE_ID, default the host name)
 * @param logDir              rotated log files go here; null: stdout only
 * @param otlpEndpoint        OTLP/HTTP collector base URL; null: spans are not exported
 * @param adminUsers          usernames that are admins in addition to those promoted with the CLI
 * @param alertsWebhookToken  bearer token Alertmanager must present; null disables the receiver
 * @param alertRulesFile      YAML alert rules; null: the built-in defaults
 * @param maxConnections      WebSocket connections this node is meant to carry; alerts and load shedding use it
 * @param shedCpuPercent      CPU use at which the node starts shedding load
 * @param shedMemoryPercent   memory use at which the node starts shedding load
 */
public record Observability(
    String nodeId,
    boolean jsonLogs,
    Path logDir,
    int logRetentionDays,
    String otlpEndpoint,
    String serviceName,
    Set<String> adminUsers,
    String alertsWebhookToken,
    long monitorIntervalMs,
    Path alertRulesFile,
    String alertWebhookUrl,
    String slackWebhookUrl,
    int maxConnections,
    double shedCpuPercent,
    double shedMemoryPercent,
    long shedCheckIntervalMs,
    long shedCooldownMs) {}
