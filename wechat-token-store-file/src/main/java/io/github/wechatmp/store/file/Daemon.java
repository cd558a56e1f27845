package io.github.wechatmp.store.file;

import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The one daemon thread this module runs, shared by every file store of the JVM: it ends refresh
 * locks whose lease lapsed and polls token files for subscribers. Started on demand and ended after
 * 30 s without scheduled work. Its tasks are short and never block on another process.
 */
final class Daemon {
  static final ScheduledThreadPoolExecutor EXECUTOR = create();

  private Daemon() {}

  private static ScheduledThreadPoolExecutor create() {
    ScheduledThreadPoolExecutor executor =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "wechat-file-token-store");
              t.setDaemon(true);
              return t;
            });
    executor.setRemoveOnCancelPolicy(true);
    executor.setKeepAliveTime(30, TimeUnit.SECONDS);
    executor.allowCoreThreadTimeOut(true);
    return executor;
  }
}
