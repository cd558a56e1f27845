package io.github.wechatmp.token;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.wechatmp.internal.refresh.Phase;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The adapters between the refresh engine's types and this package's. */
class TokenEnginesTest {
  private static List<String> names(Enum<?>[] constants) {
    return Arrays.stream(constants).map(Enum::name).collect(Collectors.toList());
  }

  @Test
  void theEnginesPhasesAreTheStatusStatesByNameAndOrder() {
    // The status maps a phase to the state of the same ordinal.
    assertEquals(names(TokenStatus.State.values()), names(Phase.values()));
  }
}
