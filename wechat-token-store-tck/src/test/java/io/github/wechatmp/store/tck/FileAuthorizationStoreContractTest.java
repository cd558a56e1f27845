package io.github.wechatmp.store.tck;

import io.github.wechatmp.open.AuthorizationStore;
import io.github.wechatmp.open.FileAuthorizationStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

/** The contract on the file store: a fresh directory per store, shared by a second instance. */
class FileAuthorizationStoreContractTest extends AuthorizationStoreContract {
  @TempDir Path root;
  private final Map<AuthorizationStore, Path> directories = new IdentityHashMap<>();
  private int next;

  @Override
  protected AuthorizationStore newStore() {
    Path dir = root.resolve("store" + next++);
    AuthorizationStore store = new FileAuthorizationStore(dir);
    directories.put(store, dir);
    return store;
  }

  @Override
  protected AuthorizationStore newStoreOnSameStorage(AuthorizationStore store) {
    return new FileAuthorizationStore(directories.get(store));
  }

  @Override
  protected void damage(AuthorizationStore store, String authorizerAppId) throws Exception {
    Files.writeString(
        directories.get(store).resolve(authorizerAppId + ".json"),
        "{\"authorizer_app_id\": \"" + authorizerAppId + "\", \"refresh_",
        StandardCharsets.UTF_8);
  }
}
