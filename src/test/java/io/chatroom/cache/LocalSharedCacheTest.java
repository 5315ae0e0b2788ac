package io.chatroom.cache;

/** The contract on the in-memory fake the TwoLevelCache tests use, so their nodes behave like Redis's. */
class LocalSharedCacheTest extends SharedCacheContract {
  final LocalSharedCache.Store store = new LocalSharedCache.Store();

  @Override
  SharedCache node() {
    return store.node();
  }
}
