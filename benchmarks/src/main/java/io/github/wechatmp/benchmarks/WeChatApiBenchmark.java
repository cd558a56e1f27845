package io.github.wechatmp.benchmarks;

import com.squareup.moshi.JsonAdapter;
import com.squareup.moshi.Moshi;
import io.github.wechatmp.api.TemplateMessage;
import io.github.wechatmp.api.WeChatApi;
import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.token.AccessTokenProvider;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import me.chanjar.weixin.common.error.WxErrorException;
import me.chanjar.weixin.mp.api.WxMpService;
import me.chanjar.weixin.mp.api.impl.WxMpServiceImpl;
import me.chanjar.weixin.mp.bean.template.WxMpTemplateData;
import me.chanjar.weixin.mp.bean.template.WxMpTemplateMessage;
import me.chanjar.weixin.mp.config.WxMpHostConfig;
import me.chanjar.weixin.mp.config.impl.WxMpDefaultConfigImpl;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One template message sent to the stand-in WeChat on loopback, three ways in one run: {@link
 * WeChatApi#post} with a record body and a record answer; the same request as a bare OkHttp call
 * with Moshi adapters built once and the token read from the same provider (the floor WeChatApi's
 * overhead is measured against); and WxJava 4.7's {@code WxMpTemplateMsgService.sendTemplateMsg}
 * (its default Apache HttpClient service). One calling thread; the stand-in's own cost is in all
 * three. The stand-in's JDK server runs with TCP_NODELAY: without it every call waits out the 40 ms
 * delayed ACK of loopback TCP, which hides everything else.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Dsun.net.httpserver.nodelay=true")
@State(Scope.Benchmark)
@Threads(1)
public class WeChatApiBenchmark {
  private static final String PATH = "cgi-bin/message/template/send";
  private static final MediaType JSON = MediaType.get("application/json; charset=utf-8");

  /**
   * WeChat's answer.
   *
   * @param errcode the error code
   * @param errmsg the message
   * @param msgid the message ID
   */
  public record SendResult(int errcode, String errmsg, long msgid) {}

  private WeChatStandIn wechat;
  private AccessTokenProvider tokens;
  private WeChatApi api;
  private TemplateMessage message;
  private OkHttpClient bare;
  private HttpUrl bareUrl;
  private JsonAdapter<TemplateMessage> messageAdapter;
  private JsonAdapter<SendResult> resultAdapter;
  private WxMpService wxJava;
  private WxMpTemplateMessage wxMessage;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    wechat = WeChatStandIn.start();
    tokens =
        AccessTokenProvider.builder()
            .appId("wx0123456789abcdef")
            .appSecret("benchmark-secret")
            .apiBaseUrl(wechat.baseUrl())
            .build();
    bare = new OkHttpClient.Builder().followRedirects(false).build();
    api = WeChatApi.builder().tokens(tokens).httpClient(bare).build();
    message =
        TemplateMessage.of(
                "oUser0001", "TEMPLATE_1", Map.of("thing1", "Order 42", "amount2", "12.50"))
            .withUrl("https://example.com/orders/42");
    bareUrl = HttpUrl.get(wechat.baseUrl()).resolve(PATH);
    Moshi moshi = new Moshi.Builder().build();
    messageAdapter = moshi.adapter(TemplateMessage.class);
    resultAdapter = moshi.adapter(SendResult.class);

    WxMpDefaultConfigImpl config = new WxMpDefaultConfigImpl();
    config.setAppId("wx0123456789abcdef");
    config.setSecret("benchmark-secret");
    String host = wechat.baseUrl().substring(0, wechat.baseUrl().length() - 1);
    config.setHostConfig(new WxMpHostConfig(host, host, host));
    WxMpServiceImpl service = new WxMpServiceImpl();
    service.setWxMpConfigStorage(config);
    wxJava = service;
    wxMessage =
        WxMpTemplateMessage.builder()
            .toUser("oUser0001")
            .templateId("TEMPLATE_1")
            .url("https://example.com/orders/42")
            .data(
                List.of(
                    new WxMpTemplateData("thing1", "Order 42"),
                    new WxMpTemplateData("amount2", "12.50")))
            .build();
    // Each side fetches its token once, before measuring.
    weChatApiPost();
    bareOkHttpMoshi();
    wxJavaSendTemplateMsg();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    tokens.close();
    wechat.close();
  }

  @Benchmark
  public SendResult weChatApiPost() {
    return api.post(PATH, message, SendResult.class);
  }

  @Benchmark
  public SendResult bareOkHttpMoshi() throws IOException {
    HttpUrl url =
        bareUrl.newBuilder().addQueryParameter("access_token", tokens.get().value()).build();
    Request request =
        new Request.Builder()
            .url(url)
            .post(RequestBody.create(messageAdapter.toJson(message), JSON))
            .build();
    try (Response response = bare.newCall(request).execute()) {
      SendResult result = resultAdapter.fromJson(response.body().source());
      if (result == null || result.errcode() != 0) {
        throw new IllegalStateException("WeChat refused: " + result);
      }
      return result;
    }
  }

  @Benchmark
  public String wxJavaSendTemplateMsg() throws WxErrorException {
    return wxJava.getTemplateMsgService().sendTemplateMsg(wxMessage);
  }
}
