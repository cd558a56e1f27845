package io.github.wechatmp.examples.snippets;

import org.junit.jupiter.api.Test;

/**
 * Runs the time snippet of docs/testing.md, which is main code so that the page quotes what
 * compiles.
 */
class TimeSnippetsTest {
  @Test
  void aManualClockDrivesTheProactiveRefresh() {
    TimeSnippets.theClockDrivesTheRefresh();
  }
}
