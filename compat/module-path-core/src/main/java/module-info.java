// A module-path application that requires only the core.
module app.core {
  requires io.github.wechatmp;
}
