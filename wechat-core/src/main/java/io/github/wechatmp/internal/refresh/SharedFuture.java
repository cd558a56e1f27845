package io.github.wechatmp.internal.refresh;

import java.util.concurrent.CompletableFuture;

/**
 * A completed future that many callers share (the one {@code getAsync()} returns on the hot path,
 * kept with the token): {@code obtrudeValue} and {@code obtrudeException}, which would change what
 * every other holder sees, are refused. Dependent stages are ordinary futures.
 */
final class SharedFuture<T> extends CompletableFuture<T> {
  private SharedFuture() {}

  static <T> SharedFuture<T> completed(T value) {
    SharedFuture<T> f = new SharedFuture<>();
    f.complete(value); // before anyone else sees it; later complete() calls are no-ops
    return f;
  }

  @Override
  public void obtrudeValue(T value) {
    throw new UnsupportedOperationException("this future is shared by every caller");
  }

  @Override
  public void obtrudeException(Throwable ex) {
    throw new UnsupportedOperationException("this future is shared by every caller");
  }

  @Override
  public <U> CompletableFuture<U> newIncompleteFuture() {
    return new CompletableFuture<>();
  }
}
