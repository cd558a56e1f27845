/**
 * A {@code TokenStore} that the processes of one host share through one JSON file: {@link
 * io.github.wechatmp.store.file.FileTokenStore}.
 */
@SuppressWarnings(
    "requires-automatic") // Moshi has no descriptor, only a stable Automatic-Module-Name
module io.github.wechatmp.store.file {
  // FileTokenStore implements io.github.wechatmp.token.TokenStore.
  requires transitive io.github.wechatmp;
  requires okio;
  requires com.squareup.moshi;
  requires org.slf4j;
  // com.sun.security.auth.module.UnixSystem: this process's user id, to check who owns the files.
  requires jdk.security.auth;

  exports io.github.wechatmp.store.file;
}
