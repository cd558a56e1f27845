package io.github.wechatmp.internal.xml;

import io.github.wechatmp.message.MessageCryptoException;
import java.io.StringReader;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.stream.Location;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * The reading WeChatXml did before the scanner, on the JDK's StAX parser with DTDs off: the
 * reference the scanner is tested against.
 */
final class JdkXmlReference {
  static final int MAX_DEPTH = FlatXml.MAX_DEPTH;

  private JdkXmlReference() {}

  static Map<String, String> parse(String xml) {
    XMLStreamReader reader = null;
    try {
      reader = newFactory().createXMLStreamReader(new StringReader(xml));
      return read(reader);
    } catch (XMLStreamException e) {
      Location at = e.getLocation();
      String where =
          at == null ? "" : " at line " + at.getLineNumber() + ", column " + at.getColumnNumber();
      throw new MessageCryptoException(
          MessageCryptoException.MALFORMED_XML, "The XML document is not well-formed" + where, e);
    } finally {
      if (reader != null) {
        try {
          reader.close();
        } catch (XMLStreamException ignored) {
          // a StringReader holds nothing to release
        }
      }
    }
  }

  private static Map<String, String> read(XMLStreamReader reader) throws XMLStreamException {
    Map<String, String> fields = new LinkedHashMap<>();
    Deque<String> path = new ArrayDeque<>();
    // One text buffer per open element below the root; null once it turned out to have children.
    List<StringBuilder> text = new ArrayList<>();
    int depth = 0;
    while (reader.hasNext()) {
      int event = reader.next();
      switch (event) {
        case XMLStreamConstants.DTD:
          throw new MessageCryptoException(
              MessageCryptoException.MALFORMED_XML,
              "The XML document has a document type declaration (DOCTYPE), which is never accepted");
        case XMLStreamConstants.ENTITY_REFERENCE:
          throw new MessageCryptoException(
              MessageCryptoException.MALFORMED_XML,
              "The XML document references an entity, which is never accepted");
        case XMLStreamConstants.START_ELEMENT:
          depth++;
          if (depth > MAX_DEPTH) {
            throw new MessageCryptoException(
                MessageCryptoException.MALFORMED_XML,
                "The XML document is nested more than " + MAX_DEPTH + " levels deep");
          }
          if (depth >= 2) {
            if (!text.isEmpty()) {
              text.set(text.size() - 1, null);
            }
            path.addLast(reader.getLocalName());
            text.add(new StringBuilder());
          }
          break;
        case XMLStreamConstants.CHARACTERS:
        case XMLStreamConstants.CDATA:
        case XMLStreamConstants.SPACE:
          if (!text.isEmpty()) {
            StringBuilder current = text.get(text.size() - 1);
            if (current != null) {
              current.append(
                  reader.getTextCharacters(), reader.getTextStart(), reader.getTextLength());
            }
          }
          break;
        case XMLStreamConstants.END_ELEMENT:
          if (depth >= 2) {
            StringBuilder leaf = text.remove(text.size() - 1);
            if (leaf != null) {
              fields.putIfAbsent(String.join(".", path), leaf.toString());
            }
            path.removeLast();
          }
          depth--;
          break;
        default:
          break; // comments, processing instructions, document start and end
      }
    }
    return Collections.unmodifiableMap(fields);
  }

  private static XMLInputFactory newFactory() {
    // A fresh factory per document: the StAX specification does not promise a shared one is
    // thread-safe.
    XMLInputFactory f = XMLInputFactory.newDefaultFactory();
    f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
    f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
    f.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, false);
    f.setProperty(XMLInputFactory.IS_COALESCING, true);
    f.setXMLResolver(
        (publicId, systemId, baseUri, namespace) -> {
          throw new XMLStreamException("external resources are never resolved");
        });
    try {
      f.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
    } catch (IllegalArgumentException notSupported) {
      // the JDK's parser supports it; another implementation still has DTDs switched off above
    }
    return f;
  }
}
