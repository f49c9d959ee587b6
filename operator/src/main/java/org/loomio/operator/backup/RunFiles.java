package org.loomio.operator.backup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;

/**
 * What one restore or drill run deletes when it ends, in its {@code finally}, whatever happened: the plaintext
 * files it did not hand on (a partial dump, a dump pg_restore never got), then its scratch directory of
 * downloaded objects; then it closes the source it read from. Each file and the directory is registered with
 * {@link PlaintextFiles} too, for a shutdown that skips {@code finally}.
 */
final class RunFiles implements AutoCloseable {

  private final Logger log;
  private final String what;
  private final PlaintextFiles plaintext = new PlaintextFiles();
  private final List<Path> files = new ArrayList<>();
  private Path directory;
  private Destination source;

  /**
   * @param log the run's logger
   * @param what what the files are, for the warning when they cannot be deleted
   */
  RunFiles(Logger log, String what) {
    this.log = log;
    this.what = what;
  }

  /** A plaintext file, deleted at the end unless forgotten or handed on. */
  Path file(Path path) {
    files.add(plaintext.register(path));
    return path;
  }

  /** The run's scratch directory, deleted with its contents at the end. */
  Path directory(Path path) {
    directory = plaintext.register(path);
    return path;
  }

  /** The source the run reads from, closed at the end. */
  Destination source(Destination destination) {
    source = destination;
    return destination;
  }

  /** A file that is gone (moved away) or no longer this run's to delete when it ends. */
  void forget(Path path) {
    files.remove(path);
  }

  /** A file handed on (the restore's dump, pg_restore's now): deleted neither at the end nor at shutdown. */
  void handOver(Path path) {
    plaintext.release(path);
    files.remove(path);
  }

  @Override
  public void close() {
    try {
      for (Path file : files) {
        Files.deleteIfExists(file);
      }
      if (directory != null) {
        BackupAgent.deleteTree(directory);
      }
    } catch (IOException e) {
      log.warn("could not clean up {}: {}", what, e.toString());
    }
    if (source != null) {
      try {
        source.close();
      } catch (IOException | RuntimeException e) {
        log.debug("closing {}: {}", source.describe(), e.toString());
      }
    }
    plaintext.close();
  }
}
