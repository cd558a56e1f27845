package io.github.wechatmp.store.file;

import io.github.wechatmp.store.tck.TokenStoreContract;
import io.github.wechatmp.token.TokenKey;
import io.github.wechatmp.token.TokenStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** FileTokenStore against the TokenStore contract; other instances share the same file. */
class FileTokenStoreContractTest extends TokenStoreContract {
  @TempDir Path dir;

  @Override
  protected TokenStore newStore() {
    return new FileTokenStore(dir.resolve("tokens.json"));
  }

  @Override
  protected TokenStore newStoreOnSameStorage(TokenStore store) {
    return new FileTokenStore(((FileTokenStore) store).path());
  }

  @Override
  protected void corrupt(TokenStore store, TokenKey key) throws Exception {
    // A half-written file, as a crash in the middle of a non-atomic writer would leave.
    Path file = ((FileTokenStore) store).path();
    String json = Files.readString(file, StandardCharsets.UTF_8);
    Files.writeString(file, json.substring(0, json.length() / 2), StandardCharsets.UTF_8);
  }

  @Override
  protected TokenStore newFailingStore() throws Exception {
    // A store whose folder is then replaced by a plain file: nothing can be read or written.
    Path folder = Files.createDirectories(dir.resolve("gone"));
    FileTokenStore store = new FileTokenStore(folder.resolve("tokens.json"));
    try (var files = Files.list(folder)) {
      for (Path p : files.toList()) {
        Files.delete(p);
      }
    }
    Files.delete(folder);
    Files.writeString(folder, "not a folder");
    return store;
  }

  @Override
  protected boolean keepsIssueTimes() {
    return true;
  }

  @Override
  protected boolean sharesHoldOffs() {
    return true;
  }

  @Override
  protected boolean fencesSaves() {
    return true;
  }

  @Override
  protected boolean notifiesChanges() {
    return true;
  }
}
