package io.chatroom.presence;

class LocalPresenceStoreTest extends PresenceStoreContract {
  @Override
  PresenceStore store() {
    return new LocalPresenceStore();
  }
}
