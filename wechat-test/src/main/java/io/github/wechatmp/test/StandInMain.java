package io.github.wechatmp.test;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.CountDownLatch;

/**
 * Runs a {@link WeChatStandIn} as a process, for trying out what needs WeChat (the token server,
 * say) where WeChat is not reachable: {@code java -jar wechat-test.jar [--url-file FILE]} starts
 * one with the defaults of {@link WeChatStandIn#start()} (any AppID and AppSecret accepted, tokens
 * living 7200 s) on a free loopback port, prints its base URL as the first line on standard output
 * and, with {@code --url-file}, writes that URL alone to the file once it is serving; it runs until
 * the process is stopped (Ctrl-C or a signal).
 */
public final class StandInMain {
  private StandInMain() {}

  /**
   * Starts the stand-in and waits until the process is stopped.
   *
   * @param args {@code --url-file FILE} to also write the base URL to {@code FILE}; {@code --help}
   * @throws InterruptedException if the waiting thread is interrupted
   */
  public static void main(String[] args) throws InterruptedException {
    Path urlFile = null;
    PrintStream out = System.out;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--url-file") && i + 1 < args.length) {
        urlFile = Paths.get(args[++i]);
      } else if (args[i].equals("--help") || args[i].equals("-h")) {
        out.println("usage: java -jar wechat-test.jar [--url-file FILE]");
        return;
      } else {
        System.err.println("wechat-test: unknown argument " + args[i] + " (try --help)");
        System.exit(2);
        return;
      }
    }
    WeChatStandIn standIn = WeChatStandIn.start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  standIn.close();
                  stopped.countDown();
                },
                "stand-in-shutdown"));
    String url = standIn.baseUrl();
    if (urlFile != null) {
      try {
        // Written whole, then moved: a script polling for the file never reads half a URL.
        Path tmp = Files.createTempFile(urlFile.toAbsolutePath().getParent(), ".url", ".tmp");
        Files.writeString(tmp, url + "\n", StandardCharsets.UTF_8);
        Files.move(
            tmp, urlFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        System.err.println("wechat-test: cannot write " + urlFile + ": " + e.getMessage());
        standIn.close();
        System.exit(1);
        return;
      }
    }
    out.println(url);
    out.println(
        "WeChat stand-in serving at "
            + url
            + " (any AppID and AppSecret accepted; stop it with Ctrl-C)");
    out.flush();
    stopped.await();
  }
}
