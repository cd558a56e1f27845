package io.github.wechatmp.store.file;

import com.sun.security.auth.module.UnixSystem;
import io.github.wechatmp.token.TokenStoreException;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;

/**
 * Who may change the token file, its temporary and lock files, and the directories above them.
 * Another local user who can write in the token file's directory could otherwise plant a link or a
 * file of their own there and have this store overwrite a file of their choosing, leak a token to
 * them, or serve a token they chose. So, where the file system has Unix owners and modes: the token
 * file's directory must be writable by this process's user only, unless it is sticky (then others
 * cannot rename or delete our files in it) and ours; every directory above it must be writable by
 * nobody else, or be sticky and belong to us or root; and the files the store reads must belong to
 * this process's user and be writable by no one else. On other file systems (Windows) nothing is
 * checked: there, put the file in a directory only you can write to.
 *
 * <p>Immutable.
 */
final class Ownership {
  private static final int STICKY = 01000;
  private static final int GROUP_WRITE = 020;
  private static final int OTHERS_WRITE = 02;
  private static final int OWNER_WRITE = 0200;
  private static final long ROOT = 0;

  /** The attributes {@link SharedFile} reads of the token file in one system call. */
  final String attributes;

  private final boolean unix;
  private final long uid; // meaningful only when unix

  private Ownership(boolean unix, long uid) {
    this.unix = unix;
    this.uid = uid;
    this.attributes =
        (unix ? "unix:uid,mode," : "basic:")
            + "fileKey,lastModifiedTime,size,isRegularFile,isSymbolicLink";
  }

  /** The rules for {@code fileSystem} and this process's user. */
  static Ownership of(FileSystem fileSystem) {
    if (!fileSystem.supportedFileAttributeViews().contains("unix")) {
      return new Ownership(false, -1);
    }
    return new Ownership(true, new UnixSystem().getUid());
  }

  /**
   * Refuses {@code directory} (a real path, links resolved) and its ancestors if another user could
   * replace or add entries in them.
   *
   * @param shown the path as the application gave it, for messages
   */
  void checkDirectories(Path directory, Path shown) {
    if (!unix) {
      return;
    }
    Map<String, Object> a = attributes(directory, shown);
    if (writableByOthers(a) && !(sticky(a) && owner(a) == uid)) {
      throw new TokenStoreException(
          "The directory "
              + directory
              + " of the token file "
              + shown
              + " can be written by other users ("
              + describe(a)
              + "), who could plant links or files there to steal or replace tokens. Use a"
              + " directory only this user can write to (chmod go-w), or one that is sticky and"
              + " belongs to this user (chmod 1777); not /tmp itself",
          null);
    }
    for (Path p = directory.getParent(); p != null; p = p.getParent()) {
      Map<String, Object> up = attributes(p, shown);
      if (writableByOthers(up) && !(sticky(up) && (owner(up) == uid || owner(up) == ROOT))) {
        throw new TokenStoreException(
            "The directory "
                + p
                + " above the token file "
                + shown
                + " can be written by other users ("
                + describe(up)
                + "), who could move the token file's directory away and put their own in its"
                + " place. Use a path whose every directory only this user or root can write to",
            null);
      }
    }
  }

  /**
   * Refuses a file the store is about to trust: one that belongs to another user or that other
   * users can write to.
   *
   * @param a the file's attributes, as read with {@link #attributes}
   * @param what what the file is, for messages ("token file", "lock file")
   */
  void checkFile(Map<String, Object> a, Path file, String what) {
    if (!unix) {
      return;
    }
    if (owner(a) != uid) {
      throw new TokenStoreException(
          "The "
              + what
              + " "
              + file
              + " belongs to user id "
              + owner(a)
              + ", not to this process's user id "
              + uid
              + ": another user may have planted it, so it is neither read nor replaced. Remove"
              + " it if it is not yours",
          null);
    }
    if ((mode(a) & (GROUP_WRITE | OTHERS_WRITE)) != 0) {
      throw new TokenStoreException(
          "The "
              + what
              + " "
              + file
              + " can be written by other users ("
              + describe(a)
              + "), so it is neither read nor replaced. chmod 600 it, or remove it",
          null);
    }
  }

  /** Reads {@code file}'s attributes for {@link #checkFile}, without following a link. */
  Map<String, Object> read(Path file) throws IOException {
    return Files.readAttributes(file, attributes, LinkOption.NOFOLLOW_LINKS);
  }

  private boolean writableByOthers(Map<String, Object> a) {
    int mode = mode(a);
    long owner = owner(a);
    return (mode & (GROUP_WRITE | OTHERS_WRITE)) != 0
        || (owner != uid && owner != ROOT && (mode & OWNER_WRITE) != 0);
  }

  private static Map<String, Object> attributes(Path directory, Path shown) {
    try {
      return Files.readAttributes(directory, "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      throw new TokenStoreException(
          "Cannot check who may write to " + directory + " for the token file " + shown + ": " + e,
          e);
    }
  }

  private static boolean sticky(Map<String, Object> a) {
    return (mode(a) & STICKY) != 0;
  }

  private static int mode(Map<String, Object> a) {
    return ((Number) a.get("mode")).intValue();
  }

  private static long owner(Map<String, Object> a) {
    return ((Number) a.get("uid")).longValue();
  }

  private static String describe(Map<String, Object> a) {
    return "mode 0" + Integer.toOctalString(mode(a) & 07777) + ", user id " + owner(a);
  }
}
