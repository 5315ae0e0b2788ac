package io.chatroom.cache;

import static io.chatroom.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chatroom.testing.Await;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** What every SharedCache promises; run against each implementation. */
abstract class SharedCacheContract {
  static final Duration LONG = Duration.ofMinutes(1);

  /** Another node on the shared cache of this test, which no other test uses. */
  abstract SharedCache node();

  /** Records what a node hears about one cache. */
  static final class Heard implements SharedCache.Listener {
    final List<String> keys = new CopyOnWriteArrayList<>();
    volatile int resyncs;

    @Override
    public void onInvalidate(String key) {
      keys.add(key);
    }

    @Override
    public void onResync() {
      resyncs++;
    }
  }

  @Test
  void aKeyNobodyPutIsAMiss() throws Exception {
    assertThat(await(node().get("rooms", "general"))).isNull();
  }

  @Test
  void whatOneNodePutsEveryNodeReads() throws Exception {
    SharedCache a = node();
    SharedCache b = node();
    assertThat(await(a.put("rooms", "general", "{\"id\":1}", LONG))).isTrue();
    assertThat(await(b.get("rooms", "general"))).isEqualTo("{\"id\":1}");
    assertThat(await(a.get("rooms", "general"))).isEqualTo("{\"id\":1}");
  }

  @Test
  void aPutLeavesALiveValueAlone() throws Exception {
    SharedCache a = node();
    assertThat(await(a.put("rooms", "general", "first", LONG))).isTrue();
    assertThat(await(node().put("rooms", "general", "second", LONG))).isFalse();
    assertThat(await(a.get("rooms", "general"))).isEqualTo("first");
  }

  @Test
  void eachCacheHasItsOwnKeys() throws Exception {
    SharedCache a = node();
    await(a.put("rooms", "42", "a room", LONG));
    assertThat(await(a.get("users", "42"))).isNull();
    assertThat(await(a.put("users", "42", "a user", LONG))).isTrue();
    assertThat(await(a.get("rooms", "42"))).isEqualTo("a room");
  }

  @Test
  void valuesExpireAfterTheirTtl() throws Exception {
    SharedCache a = node();
    await(a.put("rooms", "general", "soon gone", Duration.ofMillis(300)));
    assertThat(await(a.get("rooms", "general"))).isEqualTo("soon gone");
    Await.until(() -> {
      try {
        return await(a.get("rooms", "general")) == null;
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    });
    assertThat(await(a.put("rooms", "general", "again", LONG))).as("an expired key takes a new value").isTrue();
  }

  @Test
  void anInvalidatedKeyIsGoneAndRefusesWriteBacksOfWhatWasReadBefore() throws Exception {
    SharedCache a = node();
    SharedCache b = node();
    await(a.put("memberships", "7:9", "true", LONG));
    await(b.invalidate("memberships", "7:9"));
    assertThat(await(a.get("memberships", "7:9"))).isNull();
    // a load that read the database before the change comes back with the old answer
    assertThat(await(a.put("memberships", "7:9", "true", LONG))).as("fenced").isFalse();
    assertThat(await(a.get("memberships", "7:9"))).isNull();
  }

  @Test
  void anInvalidationReachesTheOtherNodesListenerOfThatCacheOnly() throws Exception {
    SharedCache a = node();
    SharedCache b = node();
    Heard aRooms = new Heard();
    Heard bRooms = new Heard();
    Heard bUsers = new Heard();
    a.listen("rooms", aRooms);
    b.listen("rooms", bRooms);
    b.listen("users", bUsers);
    await(a.invalidate("rooms", "general"));
    await(a.invalidate("rooms", "random"));
    Await.until(() -> bRooms.keys.size() == 2);
    assertThat(bRooms.keys).containsExactly("general", "random");
    assertThat(bUsers.keys).as("another cache's listener hears nothing (it would have, with the same message)").isEmpty();
    // messages arrive in the order they were sent: once a hears b's marker, it has had its own two
    await(b.invalidate("rooms", "marker"));
    Await.until(() -> !aRooms.keys.isEmpty());
    assertThat(aRooms.keys).as("a node does not hear itself").containsExactly("marker");
  }

  @Test
  void aCacheTakesOneListenerPerNode() {
    SharedCache a = node();
    a.listen("rooms", new Heard());
    assertThatThrownBy(() -> a.listen("rooms", new Heard())).isInstanceOf(IllegalStateException.class);
  }
}
