package io.github.wechatmp.tokenserver;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A second JVM's clients of the token server: {@code <url> <key> <appId> <threads> <reads>}. Prints
 * {@code READY}, waits for a line on stdin, reads, then prints every distinct token it got ({@code
 * TOKEN <value>}), the count of failed reads ({@code FAILED <n>}) and {@code DONE}.
 */
public final class TokenReaderMain {
  private TokenReaderMain() {}

  public static void main(String[] args) throws Exception {
    String url = args[0] + "/v1/accounts/" + args[2] + "/access_token";
    String key = args[1];
    int threads = Integer.parseInt(args[3]);
    int reads = Integer.parseInt(args[4]);
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url))
            .header("Authorization", "Bearer " + key)
            .timeout(Duration.ofSeconds(20))
            .build();
    System.out.println("READY");
    System.out.flush();
    new java.io.BufferedReader(new java.io.InputStreamReader(System.in)).readLine();
    Set<String> tokens = java.util.concurrent.ConcurrentHashMap.newKeySet();
    AtomicInteger failed = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    java.util.List<Future<?>> futures = new java.util.ArrayList<>();
    for (int t = 0; t < threads; t++) {
      futures.add(
          pool.submit(
              () -> {
                for (int i = 0; i < reads; i++) {
                  try {
                    HttpResponse<String> r =
                        http.send(request, HttpResponse.BodyHandlers.ofString());
                    String token =
                        r.statusCode() == 200 ? Fixture.field(r.body(), "access_token") : null;
                    if (token == null) {
                      failed.incrementAndGet();
                    } else {
                      tokens.add(token);
                    }
                  } catch (Exception e) {
                    failed.incrementAndGet();
                  }
                }
              }));
    }
    for (Future<?> f : futures) {
      f.get();
    }
    pool.shutdown();
    for (String t : new LinkedHashSet<>(tokens)) {
      System.out.println("TOKEN " + t);
    }
    System.out.println("FAILED " + failed.get());
    System.out.println("DONE");
    System.out.flush();
  }
}
