package io.github.wechatmp.api;

import com.squareup.moshi.JsonAdapter;
import com.squareup.moshi.JsonDataException;
import com.squareup.moshi.JsonEncodingException;
import com.squareup.moshi.JsonReader;
import com.squareup.moshi.Moshi;
import io.github.wechatmp.WeChatApiException;
import io.github.wechatmp.WeChatException;
import io.github.wechatmp.WeChatTransportException;
import io.github.wechatmp.http.AccessTokenInterceptor;
import io.github.wechatmp.internal.http.ErrorFields;
import io.github.wechatmp.internal.http.WeChatHttp;
import io.github.wechatmp.token.AccessTokenProvider;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.MultipartBody;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;

/** The {@link WeChatApi} the builder makes: OkHttp, Moshi and the SDK's token interceptor. */
final class ApiClient implements WeChatApi {
  private static final MediaType JSON = MediaType.get("application/json; charset=utf-8");
  private static final OkHttpClient DEFAULT_CLIENT =
      new OkHttpClient.Builder()
          .connectTimeout(5, TimeUnit.SECONDS)
          .readTimeout(15, TimeUnit.SECONDS)
          .callTimeout(30, TimeUnit.SECONDS)
          .build();

  /** WeChat's JSON answers are small; anything near this is not one of them. */
  private static final long MAX_JSON_BYTES = 16L << 20;

  private final OkHttpClient client;
  private final AccessTokenProvider tokens;
  private final HttpUrl base;
  private final HttpUrl imageBase;
  private final int busyRetries;
  private final long busyBackoffNanos;
  private final Moshi moshi = new Moshi.Builder().add(RecordAdapters.FACTORY).build();
  private final JsonAdapter<Object> anyAdapter = moshi.adapter(Object.class);
  // Adapters are looked up once per type, so that no call reflects on its types.
  private final Map<Class<?>, JsonAdapter<?>> adapters = new ConcurrentHashMap<>();
  private final Map<String, HttpUrl> resolvedPaths = new ConcurrentHashMap<>();

  ApiClient(Builder b) {
    this.tokens = b.tokens;
    this.base = b.apiBaseUrl != null ? b.apiBaseUrl : tokens.apiBaseUrl();
    this.imageBase = b.imageBaseUrl;
    this.busyRetries = b.busyRetries;
    this.busyBackoffNanos = b.busyBackoff.toNanos();
    AccessTokenInterceptor.Builder interceptor = AccessTokenInterceptor.builder(tokens);
    if (!AccessTokenInterceptor.DEFAULT_HOSTS.contains(base.host())) {
      interceptor.addHost(base.host().contains(":") ? "[" + base.host() + "]" : base.host());
    }
    OkHttpClient.Builder cb =
        (b.httpClient == null ? DEFAULT_CLIENT : b.httpClient)
            .newBuilder()
            .followRedirects(false)
            .followSslRedirects(false);
    cb.interceptors().removeIf(i -> i instanceof AccessTokenInterceptor);
    // Outermost: the token interceptor's WeChatExceptions travel as IOExceptions, which OkHttp
    // hands to an async callback instead of rethrowing them on its dispatcher thread.
    cb.interceptors().add(0, ApiClient::carryWeChatExceptions);
    cb.addInterceptor(interceptor.build());
    this.client = cb.build();
  }

  @Override
  public <T> T get(String path, Map<String, ?> query, Class<T> type) {
    Objects.requireNonNull(type, "type");
    return call(getRequest(path, query), path, type);
  }

  @Override
  public <T> T post(String path, Object body, Class<T> type) {
    Objects.requireNonNull(type, "type");
    return call(postRequest(path, body), path, type);
  }

  @Override
  public <T> CompletableFuture<T> getAsync(String path, Map<String, ?> query, Class<T> type) {
    return callAsync(() -> getRequest(path, query), path, type);
  }

  @Override
  public <T> CompletableFuture<T> postAsync(String path, Object body, Class<T> type) {
    return callAsync(() -> postRequest(path, body), path, type);
  }

  @Override
  public <T> T upload(
      String path, Map<String, ?> query, String field, MediaFile file, Class<T> type) {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(type, "type");
    if (field == null || field.isBlank()) {
      throw new IllegalArgumentException("the multipart field name must not be blank");
    }
    RequestBody body =
        new MultipartBody.Builder()
            .setType(MultipartBody.FORM)
            .addFormDataPart(field, file.filename(), file.requestBody())
            .build();
    Request request = new Request.Builder().url(url(path, query)).post(body).build();
    return call(request, path, type);
  }

  @Override
  public Download download(String path, Map<String, ?> query) {
    HttpUrl url = isAbsolute(path) ? absolute(path, query) : url(path, query);
    Response response = execute(new Request.Builder().url(url).get().build(), path);
    try {
      if (response.code() != 200) {
        throw new WeChatTransportException(
            what(path) + " answered HTTP " + response.code() + " (" + contentType(response) + ")",
            response.code());
      }
      MediaType type = response.body().contentType();
      if (type != null
          && (type.subtype().contains("json")
              || (type.type().equals("text") && type.subtype().equals("plain")))) {
        String text = response.body().string();
        checkJson(new Buffer().writeUtf8(text), path, response);
        String videoUrl = videoUrl(text);
        if (videoUrl != null) {
          // cgi-bin/media/get answers a video with where to fetch it, not with the video itself.
          return download(videoUrl, Map.of());
        }
        throw new WeChatTransportException(
            what(path) + " answered JSON where a file was expected: " + abbreviate(text), 200);
      }
      return new StreamDownload(response);
    } catch (IOException e) {
      response.close();
      throw transport(path, e);
    } catch (RuntimeException e) {
      response.close();
      throw e;
    }
  }

  @Override
  public QrCodes qrCodes() {
    return new QrCodes(this, imageBase);
  }

  @Override
  public String toString() {
    return "WeChatApi{" + base + ", appId=" + tokens.appId() + '}';
  }

  // ---------------------------------------------------------------------------------------------

  /** Bad arguments fail the future, as every failure of an async call does, rather than throw. */
  private <T> CompletableFuture<T> callAsync(
      Supplier<Request> request, String path, Class<T> type) {
    Request built;
    try {
      Objects.requireNonNull(type, "type");
      built = request.get();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    CompletableFuture<T> result = new CompletableFuture<>();
    attemptAsync(built, path, type, 0, result);
    return result;
  }

  private Request getRequest(String path, Map<String, ?> query) {
    return new Request.Builder().url(url(path, query)).get().build();
  }

  private Request postRequest(String path, Object body) {
    HttpUrl url = url(path, Map.of());
    return new Request.Builder().url(url).post(RequestBody.create(json(body), JSON)).build();
  }

  private HttpUrl url(String path, Map<String, ?> query) {
    if (path == null || path.isBlank()) {
      throw new IllegalArgumentException("path must name an endpoint, such as cgi-bin/user/info");
    }
    String p = path.strip();
    while (p.startsWith("/")) {
      p = p.substring(1);
    }
    if (isAbsolute(p) || p.contains("..") || p.isEmpty()) {
      throw new IllegalArgumentException(
          "path must be relative to the API base URL, such as cgi-bin/user/info: " + path);
    }
    HttpUrl resolved = resolved(p);
    if (resolved == null) {
      throw new IllegalArgumentException("path is not a valid URL path: " + path);
    }
    return query.isEmpty() && resolved.querySize() == 0 ? resolved : withQuery(resolved, query);
  }

  /** The endpoint's URL; an application calls few endpoints, so the first 256 are kept. */
  private HttpUrl resolved(String path) {
    HttpUrl url = resolvedPaths.get(path);
    if (url == null) {
      url = base.resolve(path);
      if (url != null && resolvedPaths.size() < 256) {
        resolvedPaths.put(path, url);
      }
    }
    return url;
  }

  private static HttpUrl absolute(String url, Map<String, ?> query) {
    HttpUrl parsed = HttpUrl.parse(url.strip());
    if (parsed == null) {
      throw new IllegalArgumentException("not an http or https URL: " + what(url));
    }
    // The same rule as the API base URL: https, or plain http only to a loopback address.
    WeChatHttp.apiBaseUrl(parsed.newBuilder().encodedPath("/").query(null).build().toString());
    return withQuery(parsed, query);
  }

  private static HttpUrl withQuery(HttpUrl url, Map<String, ?> query) {
    Objects.requireNonNull(query, "query");
    HttpUrl.Builder b = url.newBuilder();
    for (Map.Entry<String, ?> e : query.entrySet()) {
      if (e.getKey() == null || e.getValue() == null) {
        throw new IllegalArgumentException(
            "query parameters must have a name and a value: " + e.getKey());
      }
      b.addQueryParameter(e.getKey(), String.valueOf(e.getValue()));
    }
    HttpUrl out = b.build();
    if (out.queryParameter("access_token") != null) {
      throw new IllegalArgumentException(
          "leave access_token out of the path and query: WeChatApi adds a current one");
    }
    return out;
  }

  private static boolean isAbsolute(String path) {
    return path.startsWith("https://") || path.startsWith("http://");
  }

  private String json(Object body) {
    if (body == null) {
      throw new IllegalArgumentException("body must not be null; send Map.of() for {}");
    }
    if (body instanceof String s) {
      int first = firstNonBlank(s);
      if (first < 0 || (s.charAt(first) != '{' && s.charAt(first) != '[')) {
        throw new IllegalArgumentException("a String body must be a JSON object or array");
      }
      return s;
    }
    try {
      if (body instanceof Map<?, ?> || body instanceof Collection<?>) {
        return anyAdapter.toJson(body);
      }
      if (body.getClass().isRecord()) {
        @SuppressWarnings("unchecked") // the adapter of body's own class
        JsonAdapter<Object> adapter = (JsonAdapter<Object>) adapter(body.getClass());
        return adapter.toJson(body);
      }
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "the body cannot be written as JSON: " + e.getMessage(), e);
    }
    throw new IllegalArgumentException(
        "body must be a Map, a record, a List or a JSON String, not a "
            + body.getClass().getName());
  }

  @SuppressWarnings("unchecked") // the map holds each class's own adapter
  private <T> JsonAdapter<T> adapter(Class<T> type) {
    JsonAdapter<?> a = adapters.get(type);
    if (a == null) {
      try {
        a = adapters.computeIfAbsent(type, t -> moshi.adapter(t).nonNull());
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(
            type.getName() + " cannot be read or written as JSON: " + e.getMessage(), e);
      }
    }
    return (JsonAdapter<T>) a;
  }

  private <T> T call(Request request, String path, Class<T> type) {
    for (int attempt = 0; ; attempt++) {
      try (Response response = execute(request, path)) {
        return read(response, path, type);
      } catch (IOException e) {
        throw transport(path, e);
      } catch (WeChatApiException e) {
        if (e.errorCode() != WeChatApiException.SYSTEM_BUSY || attempt >= busyRetries) {
          throw e;
        }
        try {
          TimeUnit.NANOSECONDS.sleep(busyDelayNanos(attempt));
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  private Response execute(Request request, String path) {
    try {
      return client.newCall(request).execute();
    } catch (CarriedException c) {
      throw c.exception;
    } catch (IOException e) {
      throw transport(path, e);
    }
  }

  private <T> void attemptAsync(
      Request request, String path, Class<T> type, int attempt, CompletableFuture<T> result) {
    // The token first, without blocking: once it is held, the interceptor's get() returns at once.
    tokens
        .getAsync()
        .whenComplete(
            (token, failure) -> {
              if (failure != null) {
                result.completeExceptionally(unwrap(failure));
                return;
              }
              client
                  .newCall(request)
                  .enqueue(
                      new Callback() {
                        @Override
                        public void onFailure(Call call, IOException e) {
                          result.completeExceptionally(
                              e instanceof CarriedException c ? c.exception : transport(path, e));
                        }

                        @Override
                        public void onResponse(Call call, Response response) {
                          try (response) {
                            result.complete(read(response, path, type));
                          } catch (WeChatApiException e) {
                            if (e.errorCode() == WeChatApiException.SYSTEM_BUSY
                                && attempt < busyRetries) {
                              CompletableFuture.delayedExecutor(
                                      busyDelayNanos(attempt), TimeUnit.NANOSECONDS)
                                  .execute(
                                      () -> attemptAsync(request, path, type, attempt + 1, result));
                            } else {
                              result.completeExceptionally(e);
                            }
                          } catch (IOException e) {
                            result.completeExceptionally(transport(path, e));
                          } catch (RuntimeException | Error e) {
                            result.completeExceptionally(e);
                          }
                        }
                      });
            });
  }

  private static Throwable unwrap(Throwable t) {
    return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
  }

  private long busyDelayNanos(int attempt) {
    long delay = busyBackoffNanos << Math.min(attempt, 10);
    return delay <= 0 ? 0 : ThreadLocalRandom.current().nextLong(delay / 2, delay + delay / 2 + 1);
  }

  private <T> T read(Response response, String path, Class<T> type) throws IOException {
    if (response.code() != 200) {
      throw new WeChatTransportException(
          what(path) + " answered HTTP " + response.code() + " (" + contentType(response) + ")",
          response.code());
    }
    ResponseBody body = response.body();
    if (body.contentLength() > MAX_JSON_BYTES) {
      throw new WeChatTransportException(
          what(path) + " answered " + body.contentLength() + " bytes, too many for JSON", 200);
    }
    BufferedSource source = body.source();
    source.request(Long.MAX_VALUE); // the whole answer, read once: checked, then decoded
    Buffer answer = source.getBuffer();
    checkJson(answer, path, response);
    if (type == String.class) {
      return type.cast(answer.readUtf8());
    }
    try {
      return adapter(type).fromJson(answer);
    } catch (JsonDataException | JsonEncodingException e) {
      throw new WeChatTransportException(
          what(path) + " answered JSON that does not fit " + type.getName() + ": " + e.getMessage(),
          e);
    }
  }

  /** Throws unless {@code answer} is JSON with no errcode, or errcode 0; consumes nothing. */
  private static void checkJson(Buffer answer, String path, Response response) throws IOException {
    long first = 0;
    while (first < answer.size() && isBlank(answer.getByte(first))) {
      first++;
    }
    byte start = first < answer.size() ? answer.getByte(first) : 0;
    if (start != '{' && start != '[') {
      throw new WeChatTransportException(
          what(path)
              + " answered HTTP "
              + response.code()
              + " with "
              + contentType(response)
              + (first >= answer.size() ? " and an empty body" : " that is not JSON"),
          response.code());
    }
    if (start != '{') {
      return;
    }
    ErrorFields fields = ErrorFields.read(answer.peek());
    if (!fields.wellFormed()) {
      throw new WeChatTransportException(
          what(path) + " answered malformed JSON (" + contentType(response) + ")", null);
    }
    if (fields.code() != 0) {
      throw new WeChatApiException((int) fields.code(), fields.message());
    }
  }

  private static String videoUrl(String json) throws IOException {
    try (JsonReader reader = JsonReader.of(new Buffer().writeUtf8(json))) {
      reader.beginObject();
      while (reader.hasNext()) {
        if (reader.nextName().equals("video_url") && reader.peek() == JsonReader.Token.STRING) {
          return reader.nextString();
        }
        reader.skipValue();
      }
    } catch (JsonEncodingException | JsonDataException e) {
      return null;
    }
    return null;
  }

  private static boolean isBlank(byte b) {
    return b == ' ' || b == '\n' || b == '\r' || b == '\t';
  }

  private static int firstNonBlank(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (!Character.isWhitespace(s.charAt(i))) {
        return i;
      }
    }
    return -1;
  }

  private static String contentType(Response response) {
    String type = response.header("Content-Type");
    return type == null ? "no content type" : type;
  }

  private static String what(String path) {
    if (path == null) {
      return "WeChat";
    }
    String p = path.strip();
    int q = p.indexOf('?');
    return q < 0 ? p : p.substring(0, q); // a query may hold a ticket or a code
  }

  private static String abbreviate(String text) {
    return text.length() <= 200 ? text : text.substring(0, 200) + "...";
  }

  private static WeChatTransportException transport(String path, IOException e) {
    if (e instanceof CarriedException c && c.exception instanceof WeChatTransportException t) {
      return t;
    }
    return new WeChatTransportException(
        what(path)
            + " could not be reached: "
            + e.getClass().getSimpleName()
            + ": "
            + e.getMessage(),
        e);
  }

  private static Response carryWeChatExceptions(Interceptor.Chain chain) throws IOException {
    try {
      return chain.proceed(chain.request());
    } catch (WeChatException e) {
      throw new CarriedException(e);
    }
  }

  /** A {@link WeChatException} on its way through OkHttp, which passes on only IOExceptions. */
  private static final class CarriedException extends IOException {
    private static final long serialVersionUID = 1L;

    @SuppressWarnings("serial") // never serialised: it lives between an interceptor and a caller
    final WeChatException exception;

    CarriedException(WeChatException exception) {
      super(exception.getMessage(), exception);
      this.exception = exception;
    }
  }

  /** A streamed answer body. */
  private static final class StreamDownload implements Download {
    private final Response response;

    StreamDownload(Response response) {
      this.response = response;
    }

    @Override
    public InputStream stream() {
      return response.body().byteStream();
    }

    @Override
    public String contentType() {
      MediaType type = response.body().contentType();
      return type == null ? "application/octet-stream" : type.toString();
    }

    @Override
    public String filename() {
      String disposition = response.header("Content-Disposition");
      if (disposition == null) {
        return null;
      }
      int at = disposition.indexOf("filename=");
      if (at < 0) {
        return null;
      }
      String name = disposition.substring(at + "filename=".length()).strip();
      int semicolon = name.indexOf(';');
      if (semicolon >= 0) {
        name = name.substring(0, semicolon).strip();
      }
      if (name.length() >= 2 && name.startsWith("\"") && name.endsWith("\"")) {
        name = name.substring(1, name.length() - 1);
      }
      return name.isEmpty() ? null : name;
    }

    @Override
    public long contentLength() {
      return response.body().contentLength();
    }

    @Override
    public void close() {
      response.close();
    }
  }
}
