package app.core;

import io.github.wechatmp.token.AccessTokenProvider;

/** Fetches one token from the WeChat at args[0]; prints its masked form. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    try (AccessTokenProvider provider =
        AccessTokenProvider.builder()
            .appId(args[1])
            .appSecret(args[2])
            .apiBaseUrl(args[0])
            .build()) {
      System.out.println("token " + provider.get().masked());
    }
  }
}
