package io.github.wechatmp.examples;

import java.util.Map;

/**
 * What the example server was asked to do, from its command line and environment. Without {@code
 * WECHAT_APP_ID} and {@code WECHAT_APP_SECRET} it runs in demo mode, against a local stand-in for
 * WeChat.
 */
final class ExampleConfig {
  static final String DEMO_APP_ID = "wx_demo_app";
  static final String DEMO_APP_SECRET = "demo-secret-not-a-real-one";
  static final String DEMO_TOKEN = "demo_token";
  static final String DEMO_ENCODING_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";

  static final String USAGE =
      String.join(
          "\n",
          "usage: DemoApp [--port N] [--store memory|file:PATH|redis://HOST:PORT] [--demo-expires-in SECONDS]",
          "",
          "environment:",
          "  WECHAT_APP_ID, WECHAT_APP_SECRET   talk to WeChat for real (both, or neither for demo mode)",
          "  WECHAT_TOKEN                       the Token configured on the platform (required for real use)",
          "  WECHAT_ENCODING_AES_KEY            the EncodingAESKey, for security mode (optional)",
          "  WECHAT_STORE, PORT                 the same as --store and --port");

  final int port;
  final String store;
  final boolean demo;
  final String appId;
  final String appSecret;
  final String token;
  final String encodingAesKey;
  final long demoExpiresIn;

  private ExampleConfig(
      int port,
      String store,
      boolean demo,
      String appId,
      String appSecret,
      String token,
      String encodingAesKey,
      long demoExpiresIn) {
    this.port = port;
    this.store = store;
    this.demo = demo;
    this.appId = appId;
    this.appSecret = appSecret;
    this.token = token;
    this.encodingAesKey = encodingAesKey;
    this.demoExpiresIn = demoExpiresIn;
  }

  /** A demo-mode configuration, for tests: port 0 picks a free port. */
  static ExampleConfig demo(int port, String store, long demoExpiresIn) {
    return new ExampleConfig(
        port,
        store,
        true,
        DEMO_APP_ID,
        DEMO_APP_SECRET,
        DEMO_TOKEN,
        DEMO_ENCODING_AES_KEY,
        demoExpiresIn);
  }

  /**
   * Reads the command line and the environment.
   *
   * @throws IllegalArgumentException with a message meant for the person who started the program
   */
  static ExampleConfig parse(String[] args, Map<String, String> env) {
    int port = parsePort(env.getOrDefault("PORT", "8080"), "PORT");
    String store = env.getOrDefault("WECHAT_STORE", "memory");
    long demoExpiresIn = 60;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      switch (arg) {
        case "--port":
          port = parsePort(value(args, ++i, arg), arg);
          break;
        case "--store":
          store = value(args, ++i, arg);
          break;
        case "--demo-expires-in":
          demoExpiresIn = parseLong(value(args, ++i, arg), arg, 10, 7200);
          break;
        case "-h":
        case "--help":
          throw new IllegalArgumentException(USAGE);
        default:
          throw new IllegalArgumentException("unknown option " + arg + "\n" + USAGE);
      }
    }
    StoreChoice.describe(store); // rejects a malformed --store early

    String appId = blankToNull(env.get("WECHAT_APP_ID"));
    String appSecret = blankToNull(env.get("WECHAT_APP_SECRET"));
    if (appId == null && appSecret == null) {
      return new ExampleConfig(
          port,
          store,
          true,
          DEMO_APP_ID,
          DEMO_APP_SECRET,
          DEMO_TOKEN,
          DEMO_ENCODING_AES_KEY,
          demoExpiresIn);
    }
    if (appId == null) {
      throw new IllegalArgumentException(
          "WECHAT_APP_SECRET is set but WECHAT_APP_ID is not; set both, or neither for demo mode");
    }
    if (appSecret == null) {
      throw new IllegalArgumentException(
          "WECHAT_APP_ID is set but WECHAT_APP_SECRET is not; set both, or neither for demo mode");
    }
    String token = blankToNull(env.get("WECHAT_TOKEN"));
    if (token == null) {
      throw new IllegalArgumentException(
          "WECHAT_TOKEN is not set: it is the Token you entered on the platform's server configuration page");
    }
    return new ExampleConfig(
        port,
        store,
        false,
        appId,
        appSecret,
        token,
        blankToNull(env.get("WECHAT_ENCODING_AES_KEY")),
        demoExpiresIn);
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException(option + " needs a value\n" + USAGE);
    }
    return args[i];
  }

  private static int parsePort(String text, String what) {
    return (int) parseLong(text, what, 0, 65535);
  }

  private static long parseLong(String text, String what, long min, long max) {
    try {
      long v = Long.parseLong(text.trim());
      if (v < min || v > max) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          what + " must be a whole number from " + min + " to " + max + ", got '" + text + "'");
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }
}
