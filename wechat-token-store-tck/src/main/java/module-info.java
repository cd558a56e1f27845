/**
 * The executable contract of {@code io.github.wechatmp.token.TokenStore}: {@link
 * io.github.wechatmp.store.tck.TokenStoreContract}, an abstract JUnit 5 suite that a store's test
 * class extends.
 */
@SuppressWarnings(
    "requires-automatic") // Moshi, through core, has no descriptor, only an Automatic-Module-Name
module io.github.wechatmp.store.tck {
  requires transitive io.github.wechatmp;
  requires transitive io.github.wechatmp.open;
  requires transitive org.junit.jupiter.api;
  requires io.github.wechatmp.test;

  exports io.github.wechatmp.store.tck;

  // JUnit runs the inherited test methods reflectively.
  opens io.github.wechatmp.store.tck to
      org.junit.platform.commons;
}
