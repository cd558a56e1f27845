package io.github.wechatmp.apibaseline;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of a class file that make up its API, read straight from the bytes (JVMS chapter 4) so
 * that no class is loaded: a published module's signatures name optional dependencies (Spring,
 * Jakarta Servlet) that need not be on this module's class path.
 */
final class ClassFile {
  static final int ACC_PUBLIC = 0x0001;
  static final int ACC_PRIVATE = 0x0002;
  static final int ACC_PROTECTED = 0x0004;
  static final int ACC_STATIC = 0x0008;
  static final int ACC_FINAL = 0x0010;
  static final int ACC_VOLATILE_OR_BRIDGE = 0x0040;
  static final int ACC_VARARGS = 0x0080;
  static final int ACC_INTERFACE = 0x0200;
  static final int ACC_ABSTRACT = 0x0400;
  static final int ACC_SYNTHETIC = 0x1000;
  static final int ACC_ANNOTATION = 0x2000;
  static final int ACC_ENUM = 0x4000;

  /** A field or method. */
  record Member(
      int access,
      String name,
      String descriptor,
      String signature,
      List<String> exceptions,
      Object constant,
      boolean deprecated) {}

  /** An InnerClasses entry: a nested class, its outer class (null if local or anonymous). */
  record Nested(String inner, String outer, String simpleName, int access) {}

  final String name;
  final int access;
  final String superName;
  final List<String> interfaces = new ArrayList<>();
  String signature;
  boolean deprecated;
  final List<Member> fields = new ArrayList<>();
  final List<Member> methods = new ArrayList<>();
  final List<Nested> nested = new ArrayList<>();
  final List<String> permitted = new ArrayList<>();

  private ClassFile(String name, int access, String superName) {
    this.name = name;
    this.access = access;
    this.superName = superName;
  }

  /** This class's own InnerClasses entry, if it is a nested class. */
  Nested self() {
    for (Nested n : nested) {
      if (n.inner().equals(name)) {
        return n;
      }
    }
    return null;
  }

  /** Parses a class file; {@code source} only names it in errors. */
  static ClassFile read(byte[] bytes, String source) {
    try {
      return new Reader(bytes).read();
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(source + " is not a readable class file: " + e, e);
    }
  }

  private static final class Reader {
    private final DataInputStream in;
    private Object[] pool;
    private int[] tags;

    Reader(byte[] bytes) {
      this.in = new DataInputStream(new ByteArrayInputStream(bytes));
    }

    ClassFile read() throws IOException {
      if (in.readInt() != 0xCAFEBABE) {
        throw new IOException("bad magic number");
      }
      in.readUnsignedShort(); // minor version
      in.readUnsignedShort(); // major version
      readPool();
      int access = in.readUnsignedShort();
      String name = className(in.readUnsignedShort());
      int superIndex = in.readUnsignedShort();
      ClassFile c = new ClassFile(name, access, superIndex == 0 ? null : className(superIndex));
      for (int i = in.readUnsignedShort(); i > 0; i--) {
        c.interfaces.add(className(in.readUnsignedShort()));
      }
      for (int i = in.readUnsignedShort(); i > 0; i--) {
        c.fields.add(member());
      }
      for (int i = in.readUnsignedShort(); i > 0; i--) {
        c.methods.add(member());
      }
      for (int i = in.readUnsignedShort(); i > 0; i--) {
        String attribute = utf8(in.readUnsignedShort());
        int length = in.readInt();
        switch (attribute) {
          case "Signature" -> c.signature = utf8(in.readUnsignedShort());
          case "Deprecated" -> c.deprecated = true;
          case "InnerClasses" -> {
            for (int n = in.readUnsignedShort(); n > 0; n--) {
              int inner = in.readUnsignedShort();
              int outer = in.readUnsignedShort();
              int simple = in.readUnsignedShort();
              int flags = in.readUnsignedShort();
              c.nested.add(
                  new Nested(
                      className(inner),
                      outer == 0 ? null : className(outer),
                      simple == 0 ? null : utf8(simple),
                      flags));
            }
          }
          case "PermittedSubclasses" -> {
            for (int n = in.readUnsignedShort(); n > 0; n--) {
              c.permitted.add(className(in.readUnsignedShort()));
            }
          }
          default -> in.skipNBytes(length);
        }
      }
      return c;
    }

    private Member member() throws IOException {
      int access = in.readUnsignedShort();
      String name = utf8(in.readUnsignedShort());
      String descriptor = utf8(in.readUnsignedShort());
      String signature = null;
      List<String> exceptions = new ArrayList<>();
      Object constant = null;
      boolean deprecated = false;
      for (int i = in.readUnsignedShort(); i > 0; i--) {
        String attribute = utf8(in.readUnsignedShort());
        int length = in.readInt();
        switch (attribute) {
          case "Signature" -> signature = utf8(in.readUnsignedShort());
          case "Deprecated" -> deprecated = true;
          case "ConstantValue" -> constant = constant(in.readUnsignedShort());
          case "Exceptions" -> {
            for (int n = in.readUnsignedShort(); n > 0; n--) {
              exceptions.add(className(in.readUnsignedShort()));
            }
          }
          default -> in.skipNBytes(length);
        }
      }
      return new Member(access, name, descriptor, signature, exceptions, constant, deprecated);
    }

    private void readPool() throws IOException {
      int count = in.readUnsignedShort();
      pool = new Object[count];
      tags = new int[count];
      for (int i = 1; i < count; i++) {
        int tag = in.readUnsignedByte();
        tags[i] = tag;
        switch (tag) {
          case 1 -> pool[i] = in.readUTF(); // u2 length + modified UTF-8, as DataInput reads it
          case 3 -> pool[i] = in.readInt();
          case 4 -> pool[i] = in.readFloat();
          case 5 -> pool[i++] = in.readLong(); // takes two slots
          case 6 -> pool[i++] = in.readDouble();
          case 7, 8, 16, 19, 20 -> pool[i] = in.readUnsignedShort();
          case 9, 10, 11, 12, 17, 18 -> in.readInt();
          case 15 -> {
            in.readUnsignedByte();
            in.readUnsignedShort();
          }
          default -> throw new IOException("unknown constant pool tag " + tag + " at " + i);
        }
      }
    }

    private String utf8(int index) {
      return (String) pool[index];
    }

    private String className(int index) {
      return utf8((Integer) pool[index]);
    }

    private Object constant(int index) {
      return tags[index] == 8 ? utf8((Integer) pool[index]) : pool[index];
    }
  }
}
