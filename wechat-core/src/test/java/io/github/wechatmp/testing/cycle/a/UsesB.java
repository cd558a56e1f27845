package io.github.wechatmp.testing.cycle.a;

import io.github.wechatmp.testing.cycle.b.UsesA;

/** One half of a package cycle that {@code PackageCyclesTest} must refuse. */
public final class UsesB {
  private UsesB() {}

  /** Calls into package {@code b}, which calls into this one. */
  public static int callB() {
    return UsesA.one();
  }

  /** Called from package {@code b}. */
  public static int two() {
    return 2;
  }
}
