package io.chatroom.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatroom.broker.RoomEvent;
import io.chatroom.message.Message;
import io.chatroom.message.MessageHistory;
import io.chatroom.room.RoomRef;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Exactly once and in order, whatever the broker does: one feed against a broker played by hand and a store it can read. */
class RoomFeedTest {
  private static final RoomRef ROOM = new RoomRef(7, "general", false);

  /** What the feed wrote, in order: "m<seq>" for a message, the event's text for anything else. */
  private final List<String> written = new ArrayList<>();
  private final List<Read> reads = new ArrayList<>();
  private final List<String> ends = new ArrayList<>();
  private RoomFeed feed;

  /** One read of the store the feed asked for, answered when the test says so. */
  private record Read(long after, int limit, Promise<List<Message>> answer) {
    void reply(long... seqs) {
      answer.complete(LongStream.of(seqs).mapToObj(RoomFeedTest::stored).toList());
    }
  }

  @BeforeEach
  void open() {
    RoomFeed.Client client = new RoomFeed.Client() {
      @Override
      public void live(byte[] json) {
        written.add(new String(json, StandardCharsets.UTF_8));
      }

      @Override
      public void replayed(Message message) {
        written.add("m" + message.seq());
      }

      @Override
      public void deleted(RoomFeed f, byte[] json) {
        ends.add("deleted: " + new String(json, StandardCharsets.UTF_8));
      }

      @Override
      public void fillFailed(RoomFeed f, Throwable cause) {
        ends.add("fill failed: " + cause.getMessage());
      }
    };
    RoomFeed.Backfill store = (roomId, room, after, limit) -> {
      assertThat(roomId).isEqualTo(ROOM.id());
      Promise<List<Message>> answer = Promise.promise();
      reads.add(new Read(after, limit, answer));
      return answer.future();
    };
    feed = new RoomFeed(ROOM.name(), "alice", client, store);
    feed.room = ROOM;
  }

  private static Message stored(long seq) {
    return new Message(ROOM.id(), ROOM.name(), seq, 2, "bob", "text " + seq, 0, null);
  }

  private static RoomEvent message(long seq) {
    return new RoomEvent(ROOM.name(), seq, null, ("m" + seq).getBytes(StandardCharsets.UTF_8));
  }

  private static RoomEvent typing(String user) {
    return new RoomEvent(ROOM.name(), 0, user, ("typing " + user).getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void eventsDuringTheJoinWaitForItsReplayAndThoseItCoveredAreNotWrittenAgain() {
    feed.onEvent(message(4));
    feed.onEvent(message(5));
    assertThat(written).as("nothing before the join's ok").isEmpty();
    feed.goLive(4); // the replay went up to 4
    assertThat(written).containsExactly("m5");
    assertThat(feed.delivered()).isEqualTo(5);
  }

  @Test
  void aRepeatedOrOlderMessageIsDropped() {
    feed.goLive(3);
    feed.onEvent(message(4));
    feed.onEvent(message(4));
    feed.onEvent(message(2));
    feed.onEvent(message(5));
    assertThat(written).containsExactly("m4", "m5");
    assertThat(reads).isEmpty();
  }

  @Test
  void aGapIsFilledFromTheStoreWhileLaterEventsWaitBehindIt() {
    feed.goLive(2);
    feed.onEvent(message(5)); // 3 and 4 never came from the broker
    feed.onEvent(typing("bob"));
    feed.onEvent(message(6));
    assertThat(written).as("nothing overtakes the gap").isEmpty();
    assertThat(reads).singleElement().satisfies(r -> {
      assertThat(r.after()).isEqualTo(2);
      assertThat(r.limit()).isEqualTo(MessageHistory.REPLAY_MAX);
    });

    reads.get(0).reply(3, 4, 5); // the store has 5 too by now: written once, from the store
    assertThat(written).containsExactly("m3", "m4", "m5", "typing bob", "m6");
    feed.onEvent(message(7));
    assertThat(written).endsWith("m7");
  }

  @Test
  void aGapLongerThanOneReadIsReadUntilItIsClosed() {
    feed.goLive(0);
    feed.onEvent(message(MessageHistory.REPLAY_MAX + 2));
    reads.get(0).reply(LongStream.rangeClosed(1, MessageHistory.REPLAY_MAX).toArray());
    assertThat(reads).hasSize(2);
    assertThat(reads.get(1).after()).isEqualTo(MessageHistory.REPLAY_MAX);
    reads.get(1).reply(MessageHistory.REPLAY_MAX + 1);
    assertThat(written).hasSize(MessageHistory.REPLAY_MAX + 2).endsWith("m" + (MessageHistory.REPLAY_MAX + 1), "m" + (MessageHistory.REPLAY_MAX + 2));
  }

  @Test
  void aResyncReadsWhatTheBrokerMayHaveMissedButOnlyOnceLive() {
    feed.catchUp();
    assertThat(reads).as("a joining feed replays anyway").isEmpty();
    feed.goLive(3);
    feed.catchUp();
    feed.catchUp(); // a second resync while the first read is under way reads nothing more
    assertThat(reads).singleElement().extracting(Read::after).isEqualTo(3L);
    feed.onEvent(message(5));
    reads.get(0).reply(4);
    assertThat(written).containsExactly("m4", "m5");
  }

  @Test
  void aFailedReadEndsTheFeedsConnectionWithoutWritingWhatWaited() {
    feed.goLive(1);
    feed.onEvent(message(3));
    reads.get(0).answer.fail("database down");
    assertThat(ends).containsExactly("fill failed: database down");
    assertThat(written).isEmpty();
  }

  @Test
  void aDroppedFeedIgnoresLateReadsAndEvents() {
    feed.goLive(1);
    feed.onEvent(message(3));
    feed.drop();
    reads.get(0).reply(2, 3);
    feed.onEvent(message(4));
    assertThat(written).isEmpty();
    assertThat(feed.isCurrent()).isFalse();
  }

  @Test
  void aDeletionEndsTheFeedAndTheTypistIsNotEchoed() {
    feed.goLive(0);
    feed.onEvent(typing("alice"));
    feed.onEvent(typing("bob"));
    feed.onEvent(RoomEvent.deleted(ROOM.name(), "gone".getBytes(StandardCharsets.UTF_8)));
    assertThat(written).containsExactly("typing bob");
    assertThat(ends).containsExactly("deleted: gone");
  }
}
