package io.github.wechatmp.internal.refresh;

import java.util.concurrent.CompletableFuture;

/**
 * A completed future that many callers share (the one {@code getAsync()} returns on the hot path,
 * kept with the token): {@code obtrudeValue} and {@code obtrudeException}, which would change what
 * every other holder sees, are refused. Dependent stages are ordinary futures.
 */
public final class SharedFuture<T> extends CompletableFuture<T> {
  private SharedFuture() {}

  /** Returns a shared future completed with {@code value}. */
  public static <T> SharedFuture<T> completed(T value) {
    SharedFuture<T> f = new SharedFuture<>();
    f.complete(value); // before anyone else sees it; later complete() calls are no-ops
    return f;
  }

  /** Refused: the future is shared. */
  @Override
  public void obtrudeValue(T value) {
    throw new UnsupportedOperationException("this future is shared by every caller");
  }

  /** Refused: the future is shared. */
  @Override
  public void obtrudeException(Throwable ex) {
    throw new UnsupportedOperationException("this future is shared by every caller");
  }

  /** Dependent stages are ordinary, unshared futures. */
  @Override
  public <U> CompletableFuture<U> newIncompleteFuture() {
    return new CompletableFuture<>();
  }
}
