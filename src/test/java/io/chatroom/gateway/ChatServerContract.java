package io.chatroom.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.chatroom.testing.Http;
import io.chatroom.testing.TestDatabases;
import io.chatroom.testing.TestServer;
import io.chatroom.testing.WsClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chat protocol end to end: a real server on a random port, real WebSockets, a real store. Run once
 * per store by its subclasses, so SQLite and PostgreSQL pass the same suite.
 */
abstract class ChatServerContract {
  @TempDir
  Path dataDir;
  TestServer server;
  Http http;
  final List<WsClient> clients = new ArrayList<>();

  abstract TestDatabases.Kind kind();

  @BeforeEach
  void startServer() {
    server = TestServer.start(dataDir, TestDatabases.create(kind(), dataDir));
    http = server.http();
  }

  @AfterEach
  void stopServer() {
    clients.forEach(WsClient::close);
    if (server != null) {
      server.close();
    }
  }

  WsClient connect(Http.Account account) {
    WsClient c = WsClient.connect(server.port(), account.token());
    clients.add(c);
    return c;
  }

  @Test
  void twoUsersChatBothWays() {
    Http.Account alice = http.register("alice");
    Http.Account bob = http.register("bob");
    WsClient a = connect(alice);
    WsClient b = connect(bob);

    JsonNode joinA = a.join("general");
    assertThat(joinA.path("type").asText()).isEqualTo("ok");
    assertThat(joinA.path("room").asText()).isEqualTo("general");
    assertThat(joinA.path("lastSeq").asLong()).isZero();
    JsonNode joinB = b.join("general");
    assertThat(joinB.path("members")).extracting(JsonNode::asText).containsExactly("alice", "bob");
    JsonNode ownPresence = a.next("presence");
    assertThat(ownPresence.path("user").asText()).isEqualTo("alice");
    assertThat(ownPresence.path("state").asText()).isEqualTo("online");
    assertThat(a.next("presence").path("user").asText()).isEqualTo("bob");

    JsonNode ack = a.send("general", "hi bob", "m1");
    assertThat(ack.path("type").asText()).isEqualTo("ok");
    assertThat(ack.path("seq").asLong()).isEqualTo(1);
    assertThat(ack.has("duplicate")).isFalse();
    JsonNode atBob = b.messages("general", 1).get(0);
    assertThat(atBob.path("from").asText()).isEqualTo("alice");
    assertThat(atBob.path("text").asText()).isEqualTo("hi bob");
    assertThat(atBob.path("seq").asLong()).isEqualTo(1);
    assertThat(atBob.path("ts").asLong()).isEqualTo(ack.path("ts").asLong());
    assertThat(atBob.path("clientMsgId").asText()).isEqualTo("m1");
    assertThat(a.messages("general", 1).get(0).path("seq").asLong()).isEqualTo(1);

    assertThat(b.send("general", "hello alice", "m1").path("seq").asLong()).isEqualTo(2);
    assertThat(a.messages("general", 1).get(0).path("text").asText()).isEqualTo("hello alice");
    assertThat(b.messages("general", 1).get(0).path("from").asText()).isEqualTo("bob");
  }

  @Test
  void resumeWithSinceMissesNothingAndDuplicatesNothing() {
    Http.Account alice = http.register("alice");
    Http.Account bob = http.register("bob");
    WsClient b = connect(bob);
    b.join("lobby");
    WsClient a = connect(alice);
    a.join("lobby");
    for (int i = 1; i <= 3; i++) {
      b.send("lobby", "before " + i, "b" + i);
    }
    List<JsonNode> seen = a.messages("lobby", 3);
    long lastSeen = seen.get(2).path("seq").asLong();
    a.abort();

    for (int i = 4; i <= 8; i++) {
      b.send("lobby", "while away " + i, "b" + i);
    }
    WsClient back = connect(alice);
    long id = 99;
    back.sendRaw("{\"type\":\"join\",\"id\":" + id + ",\"room\":\"lobby\",\"since\":" + lastSeen + "}");
    List<JsonNode> replayed = back.messages("lobby", 5);
    assertThat(replayed).extracting(m -> m.path("seq").asLong()).containsExactly(4L, 5L, 6L, 7L, 8L);
    JsonNode ok = back.reply(id);
    assertThat(ok.path("lastSeq").asLong()).isEqualTo(8);
    assertThat(ok.has("hasMore")).isFalse();

    b.send("lobby", "live", "b9");
    List<JsonNode> rest = back.drain(Duration.ofMillis(500));
    assertThat(rest).filteredOn(f -> "message".equals(f.path("type").asText()))
        .extracting(m -> m.path("seq").asLong()).containsExactly(9L);
  }

  @Test
  void restartKeepsEveryAcknowledgedMessage() {
    Http.Account alice = http.register("alice");
    WsClient a = connect(alice);
    a.join("durable");
    for (int i = 1; i <= 20; i++) {
      assertThat(a.send("durable", "msg " + i, "c" + i).path("seq").asLong()).isEqualTo(i);
    }
    a.close();
    clients.clear();

    server.restart();

    Http.Response page = server.http().get("/api/rooms/durable/messages?limit=200", alice.token());
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.body().path("messages")).extracting(m -> m.path("text").asText())
        .containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(1, 20).mapToObj(i -> "msg " + i).toList());
    WsClient again = WsClient.connect(server.port(), alice.token());
    clients.add(again);
    JsonNode retry = again.request("join", "room", "durable", "since", 20);
    assertThat(retry.path("lastSeq").asLong()).isEqualTo(20);
    JsonNode dup = again.send("durable", "msg 20", "c20");
    assertThat(dup.path("seq").asLong()).isEqualTo(20);
    assertThat(dup.path("duplicate").asBoolean()).isTrue();
    assertThat(again.send("durable", "msg 21", "c21").path("seq").asLong()).isEqualTo(21);
  }

  @Test
  void sameClientMsgIdIsCommittedOnce() {
    Http.Account alice = http.register("alice");
    WsClient a = connect(alice);
    a.join("general");
    JsonNode first = a.send("general", "once", "same-id");
    JsonNode second = a.send("general", "once", "same-id");
    assertThat(second.path("seq").asLong()).isEqualTo(first.path("seq").asLong());
    assertThat(second.path("ts").asLong()).isEqualTo(first.path("ts").asLong());
    assertThat(second.path("duplicate").asBoolean()).isTrue();
    List<JsonNode> events = a.drain(Duration.ofMillis(500));
    assertThat(events).filteredOn(f -> "message".equals(f.path("type").asText())).hasSize(1);
    Http.Response page = http.get("/api/rooms/general/messages", alice.token());
    assertThat(page.body().path("messages")).hasSize(1);
  }

  @Test
  void joinWithoutSinceReplaysTheLatestFiftyAndSaysThereIsMore() {
    Http.Account alice = http.register("alice");
    WsClient a = connect(alice);
    a.join("busy");
    for (int i = 1; i <= 60; i++) {
      a.send("busy", "m" + i, "c" + i);
    }
    WsClient late = connect(http.register("bob"));
    late.sendRaw("{\"type\":\"join\",\"id\":\"j\",\"room\":\"busy\"}");
    List<JsonNode> replay = late.messages("busy", 50);
    assertThat(replay.get(0).path("seq").asLong()).isEqualTo(11);
    assertThat(replay.get(49).path("seq").asLong()).isEqualTo(60);
    JsonNode ok = late.next("ok");
    assertThat(ok.path("id").asText()).isEqualTo("j");
    assertThat(ok.path("hasMore").asBoolean()).isTrue();
    assertThat(ok.path("lastSeq").asLong()).isEqualTo(60);

    JsonNode older = late.request("history", "room", "busy", "before", 11, "limit", 5);
    assertThat(older.path("messages")).extracting(m -> m.path("seq").asLong()).containsExactly(6L, 7L, 8L, 9L, 10L);
  }

  @Test
  void typingReachesOthersButNotTheTypist() {
    WsClient a = connect(http.register("alice"));
    WsClient b = connect(http.register("bob"));
    a.join("general");
    b.join("general");
    a.sendRaw("{\"type\":\"typing\",\"room\":\"general\"}");
    JsonNode typing = b.next("typing");
    assertThat(typing.path("user").asText()).isEqualTo("alice");
    assertThat(typing.path("room").asText()).isEqualTo("general");
    assertThat(a.drain(Duration.ofMillis(300))).noneMatch(f -> "typing".equals(f.path("type").asText()));
  }

  @Test
  void presenceCountsSeveralTabsOnce() {
    Http.Account alice = http.register("alice");
    WsClient watcher = connect(http.register("bob"));
    watcher.join("general");
    assertThat(watcher.next("presence").path("user").asText()).isEqualTo("bob");
    WsClient tab1 = connect(alice);
    tab1.join("general");
    JsonNode online = watcher.next("presence");
    assertThat(online.path("user").asText()).isEqualTo("alice");
    assertThat(online.path("state").asText()).isEqualTo("online");
    WsClient tab2 = connect(alice);
    tab2.join("general");
    tab1.close();
    assertThat(watcher.drain(Duration.ofMillis(400))).noneMatch(f -> "presence".equals(f.path("type").asText()));
    tab2.request("leave", "room", "general");
    JsonNode offline = watcher.next("presence");
    assertThat(offline.path("user").asText()).isEqualTo("alice");
    assertThat(offline.path("state").asText()).isEqualTo("offline");
  }

  @Test
  void privateRoomsAreForMembersOnly() {
    Http.Account alice = http.register("alice");
    Http.Account bob = http.register("bob");
    Http.Response created = http.post("/api/rooms", alice.token(), Map.of("name", "secret", "private", true));
    assertThat(created.status()).isEqualTo(201);
    WsClient b = connect(bob);
    assertThat(b.join("secret").path("code").asText()).isEqualTo("forbidden");
    assertThat(http.get("/api/rooms/secret/messages", bob.token()).status()).isEqualTo(403);

    assertThat(http.post("/api/rooms/secret/members", alice.token(), Map.of("username", "bob")).status()).isEqualTo(200);
    assertThat(b.join("secret").path("type").asText()).isEqualTo("ok");
    assertThat(http.get("/api/rooms", bob.token()).body().path("rooms"))
        .extracting(r -> r.path("name").asText()).contains("secret", "general");
  }

  @Test
  void directMessagesUseOneRoomPerPair() {
    Http.Account alice = http.register("alice");
    Http.Account bob = http.register("bob");
    Http.Account carol = http.register("carol");
    JsonNode fromAlice = http.post("/api/dm", alice.token(), Map.of("username", "bob")).body().path("room");
    JsonNode fromBob = http.post("/api/dm", bob.token(), Map.of("username", "ALICE")).body().path("room");
    assertThat(fromAlice.path("name").asText()).isEqualTo(fromBob.path("name").asText());
    assertThat(fromAlice.path("private").asBoolean()).isTrue();
    assertThat(fromAlice.path("members").asInt()).isEqualTo(2);
    String dm = fromAlice.path("name").asText();

    WsClient a = connect(alice);
    WsClient b = connect(bob);
    a.join(dm);
    b.join(dm);
    a.send(dm, "psst", "p1");
    assertThat(b.messages(dm, 1).get(0).path("text").asText()).isEqualTo("psst");
    WsClient c = connect(carol);
    assertThat(c.join(dm).path("code").asText()).isEqualTo("forbidden");
    assertThat(http.post("/api/dm", alice.token(), Map.of("username", "nobody")).status()).isEqualTo(404);
  }

  @Test
  void fiftyClientsSendingTwoHundredEachAllReceiveTenThousandExactlyOnceInOrder() throws Exception {
    int clientCount = 50;
    int perClient = 200;
    int total = clientCount * perClient;
    List<WsClient> crowd = new ArrayList<>();
    for (int i = 0; i < clientCount; i++) {
      WsClient c = connect(http.register("user" + i));
      assertThat(c.join("crowd").path("type").asText()).isEqualTo("ok");
      crowd.add(c);
    }
    ExecutorService pool = Executors.newFixedThreadPool(clientCount);
    try {
      List<Future<List<Long>>> received = new ArrayList<>();
      for (int i = 0; i < clientCount; i++) {
        WsClient c = crowd.get(i);
        int sender = i;
        received.add(pool.submit(() -> {
          for (int n = 0; n < perClient; n++) {
            c.sendRaw("{\"type\":\"send\",\"id\":" + n + ",\"room\":\"crowd\",\"text\":\"m " + sender + "/" + n
                + "\",\"clientMsgId\":\"" + sender + "-" + n + "\"}");
          }
          List<Long> seqs = new ArrayList<>(total);
          int acks = 0;
          while (seqs.size() < total || acks < perClient) {
            JsonNode f = c.next();
            switch (f.path("type").asText()) {
              case "message" -> seqs.add(f.path("seq").asLong());
              case "ok" -> acks++;
              case "presence" -> { }
              default -> throw new AssertionError("unexpected frame " + f);
            }
          }
          return seqs;
        }));
      }
      List<Long> expected = LongStream.rangeClosed(1, total).boxed().toList();
      for (Future<List<Long>> f : received) {
        assertThat(f.get(3, TimeUnit.MINUTES)).containsExactlyElementsOf(expected);
      }
    } finally {
      pool.shutdownNow();
    }
    String token = http.register("auditor").token();
    assertThat(http.get("/api/rooms", token).body().path("rooms")).filteredOn(r -> r.path("name").asText().equals("crowd"))
        .singleElement().satisfies(r -> assertThat(r.path("lastSeq").asLong()).isEqualTo(total));
    long stored = 0;
    long after = 0;
    while (true) {
      JsonNode page = http.get("/api/rooms/crowd/messages?limit=200&after=" + after, token).body().path("messages");
      if (page.isEmpty()) {
        break;
      }
      for (JsonNode m : page) {
        assertThat(m.path("seq").asLong()).isEqualTo(++after);
        stored++;
      }
    }
    assertThat(stored).isEqualTo(total);
  }
}
