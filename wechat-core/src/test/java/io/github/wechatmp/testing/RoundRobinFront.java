package io.github.wechatmp.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A load balancer in front of a cluster's instances: each GET goes to the next instance in turn,
 * with its cookies, and the instance's status, {@code Location}, {@code Set-Cookie} and body come
 * back as they were.
 */
public final class RoundRobinFront implements AutoCloseable {
  private final List<String> instances;
  private final AtomicInteger next = new AtomicInteger();
  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final HttpClient http =
      HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

  /** Starts a front for the instances at these base URLs (each ending in {@code /}). */
  public RoundRobinFront(List<String> instances) throws IOException {
    this.instances = List.copyOf(instances);
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(executor);
    server.createContext("/", this::forward);
    server.start();
  }

  /** The URL users reach the cluster at, ending in {@code /}. */
  public String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
  }

  private void forward(HttpExchange ex) throws IOException {
    try (ex) {
      String target =
          instances.get(Math.floorMod(next.getAndIncrement(), instances.size()))
              + ex.getRequestURI().toString().substring(1);
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create(target)).timeout(Duration.ofSeconds(30));
      for (String cookie : ex.getRequestHeaders().getOrDefault("Cookie", List.of())) {
        request.header("Cookie", cookie);
      }
      HttpResponse<byte[]> r;
      try {
        r = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      r.headers().firstValue("Location").ifPresent(l -> ex.getResponseHeaders().set("Location", l));
      r.headers()
          .firstValue("Content-Type")
          .ifPresent(t -> ex.getResponseHeaders().set("Content-Type", t));
      for (String c : r.headers().allValues("Set-Cookie")) {
        ex.getResponseHeaders().add("Set-Cookie", c);
      }
      byte[] body = r.body();
      ex.sendResponseHeaders(r.statusCode(), body.length == 0 ? -1 : body.length);
      if (body.length > 0) {
        try (OutputStream out = ex.getResponseBody()) {
          out.write(body);
        }
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
