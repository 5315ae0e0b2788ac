package io.chatroom.cli;

import io.chatroom.audit.AuditLog;
import io.chatroom.broker.RedisBroker;
import io.chatroom.broker.RoomEvent;
import io.chatroom.cache.SharedCache;
import io.chatroom.gateway.protocol.Protocol;
import io.chatroom.gateway.protocol.ServerFrame;
import io.chatroom.room.Room;
import io.chatroom.room.RoomService;
import io.chatroom.store.Database;
import io.vertx.core.Future;
import io.vertx.redis.client.Redis;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code chatroom room list|delete}: rooms, straight in the database. A deletion is audited as
 * {@code cli:<os user>}; with REDIS_URL set, running nodes forget the room at once and close its sessions.
 */
@Command(name = "room", mixinStandardHelpOptions = true, description = "Manage rooms.",
    subcommands = {RoomCommand.ListRooms.class, RoomCommand.Delete.class})
public final class RoomCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "List rooms, direct messages included: name, private, members, messages (the last seq).")
  static final class ListRooms extends AdminCommand {
    @Override
    int run(AdminStore opened) throws Exception {
      Table table = new Table("NAME", "PRIVATE", "MEMBERS", "MESSAGES");
      for (Room room : opened.db.inTransaction(RoomService::all)) {
        table.row(room.name(), room.isPrivate() ? "yes" : "no", room.members(), room.lastSeq());
      }
      table.print(out());
      return 0;
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = "Delete a room with its memberships and messages (not general or ops). Asks first, unless --yes.")
  static final class Delete extends AdminCommand {
    @Parameters(paramLabel = "NAME", description = "The room")
    String name;

    @Option(names = "--yes", description = "Do not ask for confirmation (for scripts)")
    boolean yes;

    @Override
    int run(AdminStore opened) throws Exception {
      if (RoomService.UNDELETABLE.contains(name)) {
        return fail("the '" + name + "' room cannot be deleted");
      }
      Optional<Room> room = opened.db.inTransaction(c -> RoomService.byName(c, name));
      if (room.isEmpty()) {
        return fail("no room named '" + name + "'");
      }
      if (!yes && !confirmed(room.get())) {
        return fail("not deleted");
      }
      Optional<RoomService.Deleted> deleted = delete(opened.db, opened.redis, opened.nodes, opened.config.redisPrefix(), name, err());
      if (deleted.isEmpty()) {
        return fail("no room named '" + name + "'"); // deleted by someone else meanwhile
      }
      done("deleted room " + name + " (" + deleted.get().members().size() + " members, " + deleted.get().messages() + " messages)");
      return 0;
    }

    /**
     * Deletes the room and writes its audit row in one transaction, then, with Redis ({@code redis} and
     * {@code nodes} not null), tells every node to forget it and to close its sessions in it. A failed
     * announcement is reported on {@code err}, not fatal.
     *
     * @return empty when there is no such room
     */
    static Optional<RoomService.Deleted> delete(Database db, Redis redis, SharedCache nodes, String prefix, String name, PrintWriter err)
        throws Exception {
      Optional<RoomService.Deleted> deleted = db.inTransaction(c -> {
        Optional<RoomService.Deleted> gone = RoomService.delete(c, name);
        if (gone.isPresent()) {
          AuditLog.append(c, AuditLog.Actor.cli(), AuditLog.Action.ROOM_DELETE, name, gone.get().summary());
        }
        return gone;
      });
      if (deleted.isPresent() && nodes != null) {
        RoomEvent closing = RoomEvent.deleted(name, Protocol.encode(new ServerFrame.RoomDeleted(name)));
        AdminStore.announce(Future.all(RoomService.announce(nodes, deleted.get()), RedisBroker.publishOnce(redis, prefix, closing)).mapEmpty(),
            RoomService.unannouncedStaleness(), err);
      }
      return deleted;
    }

    /** Asks on stderr and reads the answer from stdin: the room's name confirms. */
    private boolean confirmed(Room room) throws java.io.IOException {
      err().print("Delete room '" + name + "' with its " + room.members() + " members and " + room.lastSeq()
          + " messages? This cannot be undone. Type the room's name to confirm: ");
      err().flush();
      // not closed: it is the process's stdin
      String answer = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
      return answer != null && answer.strip().equals(name);
    }
  }
}
