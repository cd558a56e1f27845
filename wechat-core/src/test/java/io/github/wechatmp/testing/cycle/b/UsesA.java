package io.github.wechatmp.testing.cycle.b;

import io.github.wechatmp.testing.cycle.a.UsesB;

/** The other half of a package cycle that {@code PackageCyclesTest} must refuse. */
public final class UsesA {
  private UsesA() {}

  /** Called from package {@code a}. */
  public static int one() {
    return 1;
  }

  /** Calls into package {@code a}, which calls into this one. */
  public static int callA() {
    return UsesB.two();
  }
}
