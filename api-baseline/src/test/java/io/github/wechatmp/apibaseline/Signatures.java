package io.github.wechatmp.apibaseline;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns descriptors and generic signatures (JVMS 4.7.9.1) into Java source syntax: {@code
 * Ljava/util/Map<TK;+Ljava/lang/Number;>;} reads {@code java.util.Map<K, ? extends
 * java.lang.Number>}. Nested types are joined with a dot, as source writes them.
 */
final class Signatures {
  private final String s;
  private int p;

  private Signatures(String s) {
    this.s = s;
  }

  /** A class's type parameters, superclass and interfaces. */
  record ClassSig(String typeParameters, String superclass, List<String> interfaces) {}

  /** A method's type parameters, parameter types, return type and thrown types. */
  record MethodSig(
      String typeParameters, List<String> parameters, String returnType, List<String> throwsList) {}

  /** A class signature: {@code <T:...>Lsuper;Linterface;...}. */
  static ClassSig classSignature(String signature) {
    Signatures r = new Signatures(signature);
    String typeParameters = r.typeParameters();
    String superclass = r.fieldType();
    List<String> interfaces = new ArrayList<>();
    while (r.p < r.s.length()) {
      interfaces.add(r.fieldType());
    }
    return new ClassSig(typeParameters, superclass, interfaces);
  }

  /** A method signature or descriptor: {@code <T:...>(params)return^throws}. */
  static MethodSig methodSignature(String signature) {
    Signatures r = new Signatures(signature);
    String typeParameters = r.typeParameters();
    r.expect('(');
    List<String> parameters = new ArrayList<>();
    while (r.peek() != ')') {
      parameters.add(r.javaType());
    }
    r.expect(')');
    String returnType = r.peek() == 'V' ? r.skip("void") : r.javaType();
    List<String> throwsList = new ArrayList<>();
    while (r.p < r.s.length()) {
      r.expect('^');
      throwsList.add(r.fieldType());
    }
    return new MethodSig(typeParameters, parameters, returnType, throwsList);
  }

  /** A field's type from its signature or descriptor. */
  static String fieldType(String signature) {
    Signatures r = new Signatures(signature);
    String type = r.javaType();
    if (r.p != r.s.length()) {
      throw r.error("trailing characters");
    }
    return type;
  }

  /** An internal class name ({@code a/b/C$D}) in source syntax ({@code a.b.C.D}). */
  static String className(String internalName) {
    return internalName.replace('/', '.').replace('$', '.');
  }

  private String typeParameters() {
    if (peek() != '<') {
      return "";
    }
    p++;
    List<String> parameters = new ArrayList<>();
    while (peek() != '>') {
      int colon = s.indexOf(':', p);
      String name = s.substring(p, colon);
      p = colon + 1;
      List<String> bounds = new ArrayList<>();
      if (peek() != ':') {
        bounds.add(fieldType()); // the class bound; absent when only interfaces bound it
      }
      while (peek() == ':') {
        p++;
        bounds.add(fieldType());
      }
      bounds.remove("java.lang.Object");
      parameters.add(bounds.isEmpty() ? name : name + " extends " + String.join(" & ", bounds));
    }
    p++;
    return "<" + String.join(", ", parameters) + ">";
  }

  private String javaType() {
    char c = peek();
    return switch (c) {
      case 'B' -> skip("byte");
      case 'C' -> skip("char");
      case 'D' -> skip("double");
      case 'F' -> skip("float");
      case 'I' -> skip("int");
      case 'J' -> skip("long");
      case 'S' -> skip("short");
      case 'Z' -> skip("boolean");
      default -> fieldType();
    };
  }

  private String fieldType() {
    char c = peek();
    switch (c) {
      case 'L' -> {
        p++;
        StringBuilder type = new StringBuilder();
        type.append(className(identifier()));
        typeArguments(type);
        while (peek() == '.') {
          p++;
          type.append('.').append(identifier());
          typeArguments(type);
        }
        expect(';');
        return type.toString();
      }
      case '[' -> {
        p++;
        return javaType() + "[]";
      }
      case 'T' -> {
        p++;
        String name = identifier();
        expect(';');
        return name;
      }
      default -> throw error("a type expected");
    }
  }

  private void typeArguments(StringBuilder type) {
    if (peek() != '<') {
      return;
    }
    p++;
    List<String> arguments = new ArrayList<>();
    while (peek() != '>') {
      switch (peek()) {
        case '*' -> {
          p++;
          arguments.add("?");
        }
        case '+' -> {
          p++;
          arguments.add("? extends " + fieldType());
        }
        case '-' -> {
          p++;
          arguments.add("? super " + fieldType());
        }
        default -> arguments.add(fieldType());
      }
    }
    p++;
    type.append('<').append(String.join(", ", arguments)).append('>');
  }

  private String identifier() {
    int start = p;
    while (p < s.length() && "<;.:>".indexOf(s.charAt(p)) < 0) {
      p++;
    }
    return s.substring(start, p);
  }

  private char peek() {
    if (p >= s.length()) {
      throw error("unexpected end");
    }
    return s.charAt(p);
  }

  private String skip(String result) {
    p++;
    return result;
  }

  private void expect(char c) {
    if (peek() != c) {
      throw error("'" + c + "' expected");
    }
    p++;
  }

  private IllegalArgumentException error(String what) {
    return new IllegalArgumentException(what + " at " + p + " in signature " + s);
  }
}
