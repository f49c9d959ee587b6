package org.loomio.operator.backup;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Backups in a directory, normally a mounted volume: {@code <root>/<backup>/<object>}. Every file is
 * written under a temporary name, flushed to disk and renamed, so a crash never leaves a truncated object
 * (or manifest) under its final name.
 */
public final class DirectoryDestination implements Destination {

  private static final String PARTIAL_SUFFIX = ".partial";

  private final Path root;
  private final String stack;
  private final int maxBackups;

  public DirectoryDestination(Path root, String stack) throws IOException {
    this(root, stack, MAX_BACKUPS);
  }

  /** With a smaller listing limit than {@link Destination#MAX_BACKUPS}: tests. */
  DirectoryDestination(Path root, String stack, int maxBackups) throws IOException {
    this.maxBackups = maxBackups;
    this.stack = BackupNames.requireValidStack(stack);
    if (!Files.isDirectory(root)) {
      throw new NoSuchFileException(root.toString(), null, "backup directory does not exist");
    }
    this.root = root.toAbsolutePath().normalize();
  }

  @Override
  public String kind() {
    return "volume";
  }

  @Override
  public String describe() {
    return "directory " + root;
  }

  @Override
  public String stack() {
    return stack;
  }

  private Path backupDir(String backup) {
    return root.resolve(BackupNames.requireBackupOf(stack, backup));
  }

  @Override
  public void put(String backup, String object, Path file, String sha256) throws IOException {
    Destination.checkKey(stack, backup, object);
    Path dir = Files.createDirectories(backupDir(backup));
    Path partial = dir.resolve(object + PARTIAL_SUFFIX);
    Files.copy(file, partial, StandardCopyOption.REPLACE_EXISTING);
    commit(partial, dir.resolve(object));
    verifyStored(backup, object, Files.size(file), sha256);
  }

  /** Flushes {@code partial} to disk and renames it to {@code target} atomically. */
  private static void commit(Path partial, Path target) throws IOException {
    try (FileChannel ch = FileChannel.open(partial, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
    Files.move(
        partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    try (FileChannel dir = FileChannel.open(target.getParent(), StandardOpenOption.READ)) {
      dir.force(true); // the rename itself durable (Linux allows fsync on a directory)
    } catch (IOException e) {
      // not supported on this file system: the data itself is already on disk
    }
  }

  /**
   * Opens only a regular file in a real directory: a symbolic link (to a file elsewhere, or a backup
   * directory linked to another stack's) or a FIFO (which would block the reader forever) is refused. Whoever
   * else writes to the volume could still swap a file between this check and the open; the reader is bounded
   * by the manifest's sizes either way.
   */
  @Override
  public InputStream open(String backup, String object) throws IOException {
    Destination.checkKey(stack, backup, object);
    Path dir = backupDir(backup);
    Path file = dir.resolve(object);
    BasicFileAttributes dirAttrs = attributes(dir)
        .orElseThrow(() -> new NoSuchFileException(file.toString(), null, "no such backup"));
    if (!dirAttrs.isDirectory()) {
      throw new IOException(
          describe() + ": " + backup + " is not a directory (a link or special file: refused)");
    }
    BasicFileAttributes attrs =
        attributes(file).orElseThrow(() -> new NoSuchFileException(file.toString()));
    if (!attrs.isRegularFile()) {
      throw new IOException(describe() + ": " + backup + "/" + object
          + " is not a regular file (a link, FIFO or other special file: refused)");
    }
    return Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS);
  }

  private static Optional<BasicFileAttributes> attributes(Path p) throws IOException {
    try {
      return Optional.of(
          Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  @Override
  public List<Listing> list() throws IOException {
    List<Listing> found = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
      for (Path p : entries) {
        String name = p.getFileName().toString();
        Optional<Instant> created = BackupNames.parse(stack, name);
        if (created.isPresent() && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          if (found.size() == maxBackups) {
            throw Destination.tooManyBackups(this, maxBackups);
          }
          found.add(new Listing(
              name,
              created.get(),
              Files.isRegularFile(p.resolve(Manifest.FILE_NAME), LinkOption.NOFOLLOW_LINKS)));
        }
      }
    }
    return found;
  }

  @Override
  public void deleteBackup(String backup) throws IOException {
    Path dir = backupDir(backup);
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    // the manifest first: an interrupted delete leaves an incomplete backup, never a "complete"
    // broken one
    Files.deleteIfExists(dir.resolve(Manifest.FILE_NAME));
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
        if (e != null) {
          throw e;
        }
        Files.delete(d);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  @Override
  public void writeManifest(Manifest manifest, byte[] signature) throws IOException {
    Path dir = Files.createDirectories(backupDir(manifest.backup()));
    if (signature != null) {
      writeSmall(dir, manifest.backup(), Manifest.SIGNATURE_FILE, signature);
    }
    writeSmall(
        dir,
        manifest.backup(),
        Manifest.FILE_NAME,
        manifest.toJson()); // last: complete from now on
  }

  private void writeSmall(Path dir, String backup, String object, byte[] bytes) throws IOException {
    Path partial = dir.resolve(object + PARTIAL_SUFFIX);
    try (OutputStream out = Files.newOutputStream(partial)) {
      out.write(bytes);
    }
    commit(partial, dir.resolve(object));
    verifySmall(backup, object, bytes);
  }
}
