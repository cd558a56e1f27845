/**
 * The WeChat third-party platform (开放平台): {@link io.github.wechatmp.open.AuthorizationStore}, the
 * durable record of which official accounts authorized the platform and with which refresh token,
 * and its implementations.
 */
@SuppressWarnings(
    "requires-automatic") // Moshi has no descriptor, only a stable Automatic-Module-Name
module io.github.wechatmp.open {
  requires transitive io.github.wechatmp;
  requires transitive java.sql;
  requires okio;
  requires com.squareup.moshi;
  requires org.slf4j;

  exports io.github.wechatmp.open;
}
