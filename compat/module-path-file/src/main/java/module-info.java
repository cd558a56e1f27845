// A module-path application that requires only the file store.
module app.file {
  requires io.github.wechatmp.store.file;
}
