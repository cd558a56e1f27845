package io.github.wechatmp.open;

/**
 * Told of every event of the authorization-event URL once the platform has handled it: a ticket
 * stored, an authorization saved durably, a cancellation recorded. Called on the request's thread
 * before WeChat gets its answer, so keep it quick; an exception it throws is logged and does not
 * change the answer (the platform's own work is already saved).
 */
@FunctionalInterface
public interface PlatformEventListener {
  /**
   * Receives an event after the platform has handled it.
   *
   * @param event the event
   */
  void onEvent(PlatformEvent event);
}
