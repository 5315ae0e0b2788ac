package io.chatroom.monitor;

import io.chatroom.account.User;
import io.chatroom.message.Draft;
import io.chatroom.message.GroupCommitWriter;
import io.chatroom.room.Room;
import io.vertx.core.Future;

/**
 * Posts operational notices into the private ops room as the system user, through the same group-commit
 * path as any message: they are stored, numbered and delivered exactly once like the rest of the chat.
 * Also the {@link Notifier} that puts the built-in monitor's alerts there.
 */
public final class OpsRoom implements Notifier {
  /** Draft's own limit is 4000 code points; notices are cut well before. */
  static final int MAX_TEXT = 2000;

  private final GroupCommitWriter writer;
  private final Room room;
  private final User system;

  public OpsRoom(GroupCommitWriter writer, Room room, User system) {
    this.writer = writer;
    this.room = room;
    this.system = system;
  }

  /**
   * Posts {@code text}; {@code key} makes a repeated post (a webhook retried by Alertmanager, say) a no-op.
   *
   * @param key 1-64 characters identifying this notice
   */
  public Future<Void> post(String text, String key) {
    String body = text.length() > MAX_TEXT ? text.substring(0, MAX_TEXT) + "…" : text;
    String clientMsgId = key.length() > 64 ? key.substring(0, 64) : key;
    return writer.append(new Draft(room.id(), room.name(), system.id(), system.username(), body, clientMsgId)).mapEmpty();
  }

  @Override
  public Future<Void> notify(AlertEvent event, String node) {
    return post(event.text(node), "alert-" + event.state().label() + "-" + event.timestamp() + "-" + event.rule());
  }
}
