package io.github.wechatmp.internal.xml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.wechatmp.message.MessageCryptoException;
import io.github.wechatmp.message.WeChatXml;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The scanner against the JDK's StAX parser (as WeChatXml used it before) over generated documents:
 * nesting, CDATA, entities and character references, comments, attributes, white space and line
 * ends, then random damage. Wherever one accepts, the other must accept with the same fields in the
 * same order; the only documents the scanner may refuse and the JDK accept are those with a
 * processing instruction or XML declaration, which it refuses by design.
 */
class FlatXmlDifferentialTest {
  private static final String[] NAMES = {"xml", "ToUserName", "a", "b_1", "Item.x", "c-d", "_e"};
  private static final String[] TEXT = {
    "hello",
    " ",
    "\n",
    "\r\n",
    "\r",
    "\t",
    "a b",
    "é中文",
    "\uD83D\uDE00",
    ">",
    "]",
    "]]",
    "'",
    "\"",
    "123",
    "&lt;",
    "&gt;",
    "&amp;",
    "&apos;",
    "&quot;",
    "&#65;",
    "&#x4E2D;",
    "&#x1F600;",
    "&#0;",
    "&#xD800;",
    "&bogus;",
    "&",
    "&#;",
    "&#x;",
    "&#13;",
    "&#9;",
    "<",
    "]]>",
    "\u0001",
    "\uFFFE"
  };
  private static final String DAMAGE = "<>&;/!-[]\"'= \r\n\tax#?D";

  @Test
  void theScannerAgreesWithTheJdkOnGeneratedDocuments() {
    Random random = new Random(20261201L);
    int accepted = 0;
    int refused = 0;
    List<String> disagreements = new ArrayList<>();
    for (int i = 0; i < 40_000; i++) {
      String generated = document(random);
      String doc = random.nextInt(3) == 0 ? damage(generated, random) : generated;
      Object jdk = run(() -> JdkXmlReference.parse(doc));
      Object ours = run(() -> WeChatXml.parse(doc));
      if (ours instanceof Map && !(jdk instanceof Map)) {
        disagreements.add("scanner accepted what the JDK refused (" + jdk + "): " + doc);
      } else if (jdk instanceof Map && !(ours instanceof Map)) {
        if (!doc.contains("<?")) {
          disagreements.add("scanner refused what the JDK accepted (" + ours + "): " + doc);
        }
      } else if (ours instanceof Map) {
        accepted++;
        if (!List.copyOf(((Map<?, ?>) jdk).entrySet())
            .equals(List.copyOf(((Map<?, ?>) ours).entrySet()))) {
          disagreements.add("different fields " + jdk + " vs " + ours + ": " + doc);
        }
      } else {
        refused++;
      }
      if (disagreements.size() > 5) {
        break;
      }
    }
    if (!disagreements.isEmpty()) {
      fail(String.join("\n", disagreements).replace("\r", "\\r").replace("\u0001", "\\u0001"));
    }
    // the generator must exercise both sides
    assertTrue(accepted > 5_000, "accepted " + accepted);
    assertTrue(refused > 5_000, "refused " + refused);
  }

  @Test
  void processingInstructionsAndTheXmlDeclarationAreRefusedWhereverTheyAre() {
    for (String doc :
        List.of(
            "<?xml version=\"1.0\"?><xml><A>1</A></xml>",
            "<xml><?php echo 1 ?><A>1</A></xml>",
            "<xml><A>1</A></xml><?pi?>",
            "<xml><A>1<?x?></A></xml>")) {
      MessageCryptoException e =
          assertThrows(MessageCryptoException.class, () -> WeChatXml.parse(doc), doc);
      assertEquals(MessageCryptoException.MALFORMED_XML, e.errorCode());
    }
  }

  private static Object run(java.util.function.Supplier<Map<String, String>> parse) {
    try {
      return parse.get();
    } catch (RuntimeException e) {
      return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
  }

  private static String document(Random r) {
    StringBuilder sb = new StringBuilder();
    misc(sb, r);
    element(sb, r, 1);
    misc(sb, r);
    return sb.toString();
  }

  private static void misc(StringBuilder sb, Random r) {
    int n = r.nextInt(3);
    for (int i = 0; i < n; i++) {
      switch (r.nextInt(6)) {
        case 0 -> sb.append("<!-- note ").append(r.nextBoolean() ? "-" : "").append(" -->");
        case 1 -> sb.append(r.nextInt(20) == 0 ? "<?pi data?>" : "\n");
        default -> sb.append(' ');
      }
    }
  }

  private static void element(StringBuilder sb, Random r, int depth) {
    String name = NAMES[r.nextInt(NAMES.length)];
    sb.append('<').append(name);
    if (r.nextInt(8) == 0) {
      sb.append(" id=\"").append(r.nextInt(9)).append(r.nextBoolean() ? "&amp;" : "").append('"');
      if (r.nextInt(4) == 0) {
        sb.append(r.nextBoolean() ? " id='2'" : " k='v'");
      }
    }
    if (r.nextInt(10) == 0) {
      sb.append(r.nextBoolean() ? "/>" : " />");
      return;
    }
    sb.append(r.nextInt(10) == 0 ? " >" : ">");
    int parts = r.nextInt(depth >= 4 ? 3 : 5);
    for (int i = 0; i < parts; i++) {
      switch (r.nextInt(depth >= 4 ? 4 : 6)) {
        case 0 -> sb.append(TEXT[r.nextInt(TEXT.length)]);
        case 1 -> sb.append(r.nextInt(6) == 0 ? TEXT[r.nextInt(TEXT.length)] : "word");
        case 2 ->
            sb.append("<![CDATA[")
                .append(r.nextBoolean() ? "a <b> & c" : TEXT[r.nextInt(TEXT.length)])
                .append("]]>");
        case 3 -> sb.append(r.nextInt(5) == 0 ? "<!-- c -->" : "  ");
        default -> element(sb, r, depth + 1);
      }
    }
    sb.append("</")
        .append(r.nextInt(30) == 0 ? "other" : name)
        .append(r.nextInt(10) == 0 ? " >" : ">");
  }

  private static String damage(String doc, Random r) {
    StringBuilder sb = new StringBuilder(doc);
    int n = 1 + r.nextInt(2);
    for (int i = 0; i < n && sb.length() > 0; i++) {
      int at = r.nextInt(sb.length());
      switch (r.nextInt(4)) {
        case 0 -> sb.deleteCharAt(at);
        case 1 -> sb.insert(at, DAMAGE.charAt(r.nextInt(DAMAGE.length())));
        case 2 -> sb.setLength(at);
        default -> sb.setCharAt(at, DAMAGE.charAt(r.nextInt(DAMAGE.length())));
      }
    }
    return sb.toString();
  }
}
