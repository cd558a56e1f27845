package io.github.wechatmp.testing;

import java.io.IOException;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A browser as far as web authorization needs one, over real HTTP: it follows redirects itself
 * (WeChat's authorize page included) and keeps cookies per host, as WeChat's in-app browser does.
 */
public final class Browser {
  private final HttpClient http =
      HttpClient.newBuilder()
          .cookieHandler(new CookieManager(null, CookiePolicy.ACCEPT_ALL))
          .followRedirects(HttpClient.Redirect.NEVER)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  /** The page a navigation ended on, and every URL it went through. */
  public record Page(int status, String body, URI uri, List<URI> hops) {}

  /** Opens {@code url} and follows up to ten redirects. */
  public Page open(String url) throws IOException, InterruptedException {
    List<URI> hops = new ArrayList<>();
    URI uri = URI.create(url);
    for (int i = 0; i < 10; i++) {
      hops.add(uri);
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(withoutFragment(uri)).timeout(Duration.ofSeconds(30)).build(),
              HttpResponse.BodyHandlers.ofString());
      String location = r.headers().firstValue("Location").orElse(null);
      if (r.statusCode() / 100 != 3 || location == null) {
        return new Page(r.statusCode(), r.body(), uri, hops);
      }
      uri = uri.resolve(location);
    }
    throw new IOException("more than ten redirects from " + url);
  }

  /** Requests {@code url} once and returns where it redirects to, without going there. */
  public String redirectOf(String url) throws IOException, InterruptedException {
    HttpResponse<Void> r =
        http.send(
            HttpRequest.newBuilder(withoutFragment(URI.create(url))).build(),
            HttpResponse.BodyHandlers.discarding());
    return r.headers().firstValue("Location").orElseThrow(() -> new IOException("no redirect"));
  }

  private static URI withoutFragment(URI uri) {
    String s = uri.toString();
    int hash = s.indexOf('#');
    return hash < 0 ? uri : URI.create(s.substring(0, hash));
  }
}
