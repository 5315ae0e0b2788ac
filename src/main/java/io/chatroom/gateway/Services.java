package io.chatroom.gateway;

import io.chatroom.account.AccountService;
import io.chatroom.ai.HotQuestions;
import io.chatroom.broker.Broker;
import io.chatroom.config.Config;
import io.chatroom.limits.Rate;
import io.chatroom.limits.RateLimiter;
import io.chatroom.message.GroupCommitWriter;
import io.chatroom.message.MessageHistory;
import io.chatroom.monitor.LoadShedder;
import io.chatroom.monitor.Monitor;
import io.chatroom.monitor.OpsRoom;
import io.chatroom.observability.Health;
import io.chatroom.observability.Metrics;
import io.chatroom.presence.PresenceStore;
import io.chatroom.room.RoomService;
import io.chatroom.store.Database;
import io.opentelemetry.api.trace.Tracer;
import java.util.function.Supplier;

/**
 * What the gateway calls into; built once by {@code ChatServer}.
 *
 * @param wsRate the frame budget a new WebSocket connection starts with; a configuration reload may change it
 * @param hotQuestions how often each question was put to the assistant (the admin API lists them)
 */
public record Services(
    Config config,
    Database database,
    AccountService accounts,
    RoomService rooms,
    MessageHistory history,
    GroupCommitWriter writer,
    Broker broker,
    PresenceStore presence,
    Metrics metrics,
    Tracer tracer,
    Health health,
    LoadShedder shedder,
    Monitor monitor,
    OpsRoom opsRoom,
    WebAssets web,
    Connections connections,
    RateLimiter apiLimits,
    Supplier<Rate> wsRate,
    HotQuestions hotQuestions) {}
