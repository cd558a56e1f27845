package io.github.wechatmp.apibaseline;

import static io.github.wechatmp.apibaseline.ClassFile.ACC_ABSTRACT;
import static io.github.wechatmp.apibaseline.ClassFile.ACC_ANNOTATION;
import static io.github.wechatmp.apibaseline.ClassFile.ACC_ENUM;
import static io.github.wechatmp.apibaseline.ClassFile.ACC_FINAL;
import static io.github.wechatmp.apibaseline.ClassFile.ACC_INTERFACE;
import static io.github.wechatmp.apibaseline.ClassFile.ACC_PROTECTED;
import static io.github.wechatmp.apibaseline.ClassFile.ACC_PUBLIC;
import static io.github.wechatmp.apibaseline.ClassFile.ACC_STATIC;
import static io.github.wechatmp.apibaseline.ClassFile.ACC_SYNTHETIC;
import static io.github.wechatmp.apibaseline.ClassFile.ACC_VARARGS;
import static io.github.wechatmp.apibaseline.ClassFile.ACC_VOLATILE_OR_BRIDGE;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * A module's public API as text: every public or protected type of an exported package, with its
 * public and protected fields, constructors and methods, in source syntax with generic signatures,
 * sorted so that reordering source code changes nothing.
 *
 * <p>The exported packages are the unqualified {@code exports} of the module's {@code
 * module-info.class}; a module without one (an automatic module) exports every package, and then
 * every package without an {@code internal} segment counts. Synthetic and bridge members, private
 * and package-private ones, and nested types of types outside the API are left out.
 */
final class ApiDump {
  private ApiDump() {}

  /** The API of the classes in a directory (target/classes) or a jar. */
  static String of(Path classes) throws IOException {
    Map<String, byte[]> files = new TreeMap<>();
    if (Files.isDirectory(classes)) {
      try (Stream<Path> walk = Files.walk(classes)) {
        for (Path f : walk.filter(Files::isRegularFile).toList()) {
          String name = classes.relativize(f).toString().replace('\\', '/');
          if (name.endsWith(".class")) {
            files.put(name, Files.readAllBytes(f));
          }
        }
      }
    } else if (Files.isRegularFile(classes)) {
      try (ZipFile zip = new ZipFile(classes.toFile())) {
        for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
          ZipEntry entry = e.nextElement();
          if (entry.getName().endsWith(".class") && !entry.getName().startsWith("META-INF/")) {
            try (InputStream in = zip.getInputStream(entry)) {
              files.put(entry.getName(), in.readAllBytes());
            }
          }
        }
      }
    } else {
      throw new IOException(classes + " is neither a directory of classes nor a jar");
    }
    return of(files);
  }

  /** The API of the given class files, keyed by their path in the jar ({@code a/b/C.class}). */
  static String of(Map<String, byte[]> files) {
    byte[] moduleInfo = files.get("module-info.class");
    Set<String> exported;
    String header;
    if (moduleInfo != null) {
      ModuleDescriptor d = ModuleDescriptor.read(ByteBuffer.wrap(moduleInfo));
      exported =
          d.exports().stream()
              .filter(e -> !e.isQualified())
              .map(ModuleDescriptor.Exports::source)
              .collect(Collectors.toCollection(TreeSet::new));
      header = "module " + d.name() + ", exports " + String.join(", ", exported);
    } else {
      exported = new TreeSet<>();
      for (String name : files.keySet()) {
        int slash = name.lastIndexOf('/');
        String pkg = slash < 0 ? "" : name.substring(0, slash).replace('/', '.');
        if (!pkg.isEmpty() && !List.of(pkg.split("\\.")).contains("internal")) {
          exported.add(pkg);
        }
      }
      header = "no module-info: every package without an 'internal' segment, " + exported;
    }

    Map<String, ClassFile> classes = new TreeMap<>();
    for (Map.Entry<String, byte[]> e : files.entrySet()) {
      if (!e.getKey().endsWith("module-info.class") && !e.getKey().endsWith("package-info.class")) {
        ClassFile c = ClassFile.read(e.getValue(), e.getKey());
        classes.put(c.name, c);
      }
    }
    Map<String, String> blocks = new TreeMap<>();
    for (ClassFile c : classes.values()) {
      if (inApi(c, classes, exported)) {
        blocks.put(Signatures.className(c.name), render(c));
      }
    }
    StringBuilder out = new StringBuilder("# ").append(header).append("\n");
    for (String block : blocks.values()) {
      out.append('\n').append(block);
    }
    return out.toString();
  }

  private static boolean inApi(ClassFile c, Map<String, ClassFile> classes, Set<String> exported) {
    int slash = c.name.lastIndexOf('/');
    String pkg = slash < 0 ? "" : c.name.substring(0, slash).replace('/', '.');
    if (!exported.contains(pkg) || (c.access & ACC_SYNTHETIC) != 0) {
      return false;
    }
    ClassFile.Nested self = c.self();
    if (self == null) {
      return (c.access & ACC_PUBLIC) != 0;
    }
    if (self.outer() == null || self.simpleName() == null) {
      return false; // local or anonymous
    }
    if ((self.access() & (ACC_PUBLIC | ACC_PROTECTED)) == 0) {
      return false;
    }
    ClassFile outer = classes.get(self.outer());
    return outer != null && inApi(outer, classes, exported);
  }

  private static String render(ClassFile c) {
    ClassFile.Nested self = c.self();
    int access = self == null ? c.access : self.access();
    boolean isInterface = (c.access & ACC_INTERFACE) != 0;
    boolean isAnnotation = (c.access & ACC_ANNOTATION) != 0;
    boolean isEnum = (c.access & ACC_ENUM) != 0;
    boolean isRecord = "java/lang/Record".equals(c.superName);
    String kind =
        isAnnotation
            ? "@interface"
            : isInterface ? "interface" : isEnum ? "enum" : isRecord ? "record" : "class";

    List<String> modifiers = new ArrayList<>();
    modifiers.add((access & ACC_PUBLIC) != 0 ? "public" : "protected");
    if (kind.equals("class")) {
      if (self != null && (access & ACC_STATIC) != 0) {
        modifiers.add("static");
      }
      if ((access & ACC_ABSTRACT) != 0) {
        modifiers.add("abstract");
      }
      if ((access & ACC_FINAL) != 0) {
        modifiers.add("final");
      }
    }
    if (!c.permitted.isEmpty()) {
      modifiers.add("sealed");
    }

    String typeParameters = "";
    String superclass = c.superName == null ? null : Signatures.className(c.superName);
    List<String> interfaces = new ArrayList<>();
    if (c.signature != null) {
      Signatures.ClassSig sig = Signatures.classSignature(c.signature);
      typeParameters = sig.typeParameters();
      superclass = sig.superclass();
      interfaces.addAll(sig.interfaces());
    } else {
      c.interfaces.forEach(i -> interfaces.add(Signatures.className(i)));
    }
    StringBuilder head = new StringBuilder();
    if (c.deprecated) {
      head.append("@Deprecated\n");
    }
    head.append(String.join(" ", modifiers))
        .append(' ')
        .append(kind)
        .append(' ')
        .append(Signatures.className(c.name))
        .append(typeParameters);
    if (kind.equals("class") && superclass != null && !superclass.equals("java.lang.Object")) {
      head.append(" extends ").append(superclass);
    }
    if (isAnnotation) {
      interfaces.remove("java.lang.annotation.Annotation");
    }
    if (!interfaces.isEmpty()) {
      head.append(isInterface ? " extends " : " implements ").append(String.join(", ", interfaces));
    }
    if (!c.permitted.isEmpty()) {
      head.append(" permits ")
          .append(
              c.permitted.stream()
                  .map(Signatures::className)
                  .sorted()
                  .collect(Collectors.joining(", ")));
    }
    head.append(" {\n");

    String simpleName =
        self != null ? self.simpleName() : c.name.substring(c.name.lastIndexOf('/') + 1);
    // Keyed by name, then the whole line: overloads stay together, and source order counts for
    // nothing.
    TreeMap<String, String> fields = new TreeMap<>();
    TreeMap<String, String> constructors = new TreeMap<>();
    TreeMap<String, String> methods = new TreeMap<>();
    for (ClassFile.Member f : c.fields) {
      if (visible(f)) {
        String line = field(f);
        fields.put(f.name() + ' ' + line, line);
      }
    }
    for (ClassFile.Member m : c.methods) {
      if (visible(m)
          && (m.access() & ACC_VOLATILE_OR_BRIDGE) == 0
          && !m.name().equals("<clinit>")) {
        String line = method(m, simpleName, isInterface);
        (m.name().equals("<init>") ? constructors : methods).put(m.name() + ' ' + line, line);
      }
    }
    StringBuilder out = new StringBuilder(head);
    for (TreeMap<String, String> group : List.of(fields, constructors, methods)) {
      group.values().forEach(line -> out.append("  ").append(line).append('\n'));
    }
    return out.append("}\n").toString();
  }

  private static boolean visible(ClassFile.Member m) {
    return (m.access() & (ACC_PUBLIC | ACC_PROTECTED)) != 0 && (m.access() & ACC_SYNTHETIC) == 0;
  }

  private static String field(ClassFile.Member f) {
    StringBuilder line = new StringBuilder(f.deprecated() ? "@Deprecated " : "");
    line.append(memberAccess(f.access()));
    if ((f.access() & ACC_STATIC) != 0) {
      line.append(" static");
    }
    if ((f.access() & ACC_FINAL) != 0) {
      line.append(" final");
    }
    line.append(' ')
        .append(Signatures.fieldType(f.signature() != null ? f.signature() : f.descriptor()))
        .append(' ')
        .append(f.name());
    if (f.constant() != null) {
      line.append(" = ").append(constant(f.constant(), f.descriptor()));
    }
    return line.toString();
  }

  private static String method(ClassFile.Member m, String simpleName, boolean inInterface) {
    Signatures.MethodSig sig =
        Signatures.methodSignature(m.signature() != null ? m.signature() : m.descriptor());
    List<String> parameters = new ArrayList<>(sig.parameters());
    if ((m.access() & ACC_VARARGS) != 0 && !parameters.isEmpty()) {
      String last = parameters.remove(parameters.size() - 1);
      parameters.add(last.substring(0, last.length() - 2) + "...");
    }
    List<String> thrown = sig.throwsList();
    if (thrown.isEmpty()) {
      thrown = m.exceptions().stream().map(Signatures::className).toList();
    }
    StringBuilder line = new StringBuilder(m.deprecated() ? "@Deprecated " : "");
    line.append(memberAccess(m.access()));
    if ((m.access() & ACC_STATIC) != 0) {
      line.append(" static");
    } else if (inInterface && (m.access() & ACC_ABSTRACT) == 0) {
      line.append(" default");
    }
    if ((m.access() & ACC_ABSTRACT) != 0 && !inInterface) {
      line.append(" abstract");
    }
    if ((m.access() & ACC_FINAL) != 0) {
      line.append(" final");
    }
    if (!sig.typeParameters().isEmpty()) {
      line.append(' ').append(sig.typeParameters());
    }
    if (m.name().equals("<init>")) {
      line.append(' ').append(simpleName);
    } else {
      line.append(' ').append(sig.returnType()).append(' ').append(m.name());
    }
    line.append('(').append(String.join(", ", parameters)).append(')');
    if (!thrown.isEmpty()) {
      line.append(" throws ").append(String.join(", ", thrown));
    }
    return line.toString();
  }

  private static String memberAccess(int access) {
    return (access & ACC_PUBLIC) != 0 ? "public" : "protected";
  }

  private static String constant(Object value, String descriptor) {
    return switch (descriptor) {
      case "Z" -> ((Integer) value) != 0 ? "true" : "false";
      case "C" -> "'" + escape(String.valueOf((char) (int) (Integer) value)) + "'";
      case "J" -> value + "L";
      case "F" -> value + "F";
      case "Ljava/lang/String;" -> "\"" + escape((String) value) + "\"";
      default -> String.valueOf(value);
    };
  }

  private static String escape(String s) {
    StringBuilder out = new StringBuilder();
    for (char c : s.toCharArray()) {
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '"' -> out.append("\\\"");
        case '\'' -> out.append("\\'");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20 || c > 0x7e) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.toString();
  }
}
