package io.github.wechatmp.callback.inbound;

import java.time.Instant;
import java.util.Map;

/**
 * A message or event WeChat pushed to the account's server URL, verified, decrypted and parsed by
 * {@link io.github.wechatmp.callback.WeChatCallback}. There is a record for every message type
 * WeChat documents ({@link TextMessage}, {@link ImageMessage}, {@link VoiceMessage}, {@link
 * VideoMessage}, {@link ShortVideoMessage}, {@link LocationMessage}, {@link LinkMessage}) and,
 * under {@link WeChatEvent}, for every event; anything else arrives as {@link UnknownMessage} or
 * {@link UnknownEvent}, never as an error. Switch over them, or route them with {@link
 * io.github.wechatmp.callback.MessageRouter}.
 *
 * <p>All implementations are immutable records and thread-safe. Their {@code toString()} names the
 * type and IDs only, never what the user wrote.
 */
public sealed interface WeChatMessage
    permits TextMessage,
        ImageMessage,
        VoiceMessage,
        VideoMessage,
        ShortVideoMessage,
        LocationMessage,
        LinkMessage,
        UnknownMessage,
        WeChatEvent {

  /**
   * Returns the account the message was sent to: {@code ToUserName}, its original ID ({@code
   * gh_...}).
   *
   * @return the account, never null
   */
  String toUser();

  /**
   * Returns the sender: {@code FromUserName}, the user's OpenID for this account.
   *
   * @return the sender, never null
   */
  String fromUser();

  /**
   * Returns when WeChat created the message: {@code CreateTime}, in whole seconds.
   *
   * @return the creation time, never null
   */
  Instant createTime();

  /**
   * Returns every field as received, for what the types do not name: each element below the root
   * without child elements, keyed by its name, or for nested ones by the path of names joined with
   * {@code "."} (such as {@code ScanCodeInfo.ScanResult}); where a name repeats, the first. Text is
   * as received, not trimmed.
   *
   * @return an unmodifiable map in document order
   */
  Map<String, String> fields();
}
