package app.file;

import io.github.wechatmp.store.file.FileTokenStore;
import io.github.wechatmp.token.AccessTokenProvider;
import java.nio.file.Path;

/** Fetches one token from the WeChat at args[0] through the token file args[3]. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    try (AccessTokenProvider provider =
        AccessTokenProvider.builder()
            .appId(args[1])
            .appSecret(args[2])
            .apiBaseUrl(args[0])
            .store(new FileTokenStore(Path.of(args[3])))
            .build()) {
      System.out.println("token " + provider.get().masked());
    }
  }
}
