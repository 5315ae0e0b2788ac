package io.chatroom.presence;

import static io.chatroom.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.chatroom.presence.PresenceStore.Departure;
import org.junit.jupiter.api.Test;

/** What every PresenceStore promises; run against each implementation. */
abstract class PresenceStoreContract {
  /** A store with no entries, private to the test. */
  abstract PresenceStore store();

  @Test
  void aUserWithSeveralConnectionsComesOnlineOnceAndGoesOfflineOnce() throws Exception {
    PresenceStore store = store();
    assertThat(await(store.join("general", "alice", "c1"))).as("first connection: came online").isTrue();
    assertThat(await(store.join("general", "alice", "c2"))).as("second tab").isFalse();
    assertThat(await(store.online("general"))).containsExactly("alice");
    assertThat(await(store.leave("general", "alice", "c1"))).as("one tab left").isEqualTo(Departure.STILL_THERE);
    assertThat(await(store.online("general"))).containsExactly("alice");
    assertThat(await(store.leave("general", "alice", "c2"))).as("last tab: went offline").isNotEqualTo(Departure.STILL_THERE);
    assertThat(await(store.online("general"))).isEmpty();
  }

  @Test
  void aDepartureIsAnnouncedExactlyWhenTheArrivalWas() throws Exception {
    PresenceStore store = store();
    await(store.join("general", "alice", "c1"));
    await(store.announced("general", "alice"));
    await(store.join("general", "alice", "c2")); // a later tab, say while the room was crowded
    await(store.join("general", "bob", "c3")); // arrived while crowded: never announced
    assertThat(await(store.leave("general", "alice", "c1"))).isEqualTo(Departure.STILL_THERE);
    assertThat(await(store.leave("general", "alice", "c2"))).as("the later tab leaves last").isEqualTo(Departure.GONE);
    assertThat(await(store.leave("general", "bob", "c3"))).isEqualTo(Departure.GONE_UNANNOUNCED);
  }

  @Test
  void aReturningUserStartsUnannounced() throws Exception {
    PresenceStore store = store();
    await(store.join("general", "alice", "c1"));
    await(store.announced("general", "alice"));
    await(store.announced("random", "alice")); // announced elsewhere: rooms are apart
    assertThat(await(store.leave("general", "alice", "c1"))).isEqualTo(Departure.GONE);
    assertThat(await(store.join("general", "alice", "c2"))).isTrue();
    assertThat(await(store.leave("general", "alice", "c2"))).as("back while crowded, say: not announced this time")
        .isEqualTo(Departure.GONE_UNANNOUNCED);
  }

  @Test
  void onlineListsEachUserOnceSortedPerRoom() throws Exception {
    PresenceStore store = store();
    await(store.join("general", "carol", "c3"));
    await(store.join("general", "Bob", "c2"));
    await(store.join("general", "alice", "c1"));
    await(store.join("general", "alice", "c4"));
    await(store.join("random", "dave", "c5"));
    assertThat(await(store.online("general"))).containsExactly("alice", "Bob", "carol");
    assertThat(await(store.online("random"))).containsExactly("dave");
    assertThat(await(store.online("empty"))).isEmpty();
  }

  @Test
  void leavingWhatWasNeverJoinedChangesNothing() throws Exception {
    PresenceStore store = store();
    await(store.join("general", "alice", "c1"));
    await(store.announced("general", "alice"));
    assertThat(await(store.leave("general", "alice", "nope"))).isEqualTo(Departure.STILL_THERE);
    assertThat(await(store.leave("general", "bob", "c1"))).isEqualTo(Departure.STILL_THERE);
    assertThat(await(store.online("general"))).containsExactly("alice");
  }
}
