package org.loomio.operator.backup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Files with plaintext (a database dump, staged or downloaded objects) that must not outlive the agent, on any
 * exit path: the agents delete them in {@code finally}, and this deletes what is still registered when the JVM
 * shuts down on a signal (the kubelet's SIGTERM when a Job's deadline passes or its pod is deleted; SIGINT),
 * which skips {@code finally}. Only SIGKILL (after the pod's grace period) escapes; the pod's emptyDir then
 * goes with the pod. A file handed on (the restore's dump, for pg_restore) is released first.
 */
final class PlaintextFiles implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(PlaintextFiles.class);

  private final Set<Path> paths = ConcurrentHashMap.newKeySet();
  private final Thread hook;

  PlaintextFiles() {
    hook = new Thread(this::deleteAll, "plaintext-cleanup");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** Deleted (a directory with its contents) at shutdown unless released or closed first. */
  Path register(Path path) {
    if (path != null) {
      paths.add(path.toAbsolutePath());
    }
    return path;
  }

  void release(Path path) {
    if (path != null) {
      paths.remove(path.toAbsolutePath());
    }
  }

  private void deleteAll() {
    for (Path p : paths) {
      try {
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          BackupAgent.deleteTree(p);
        } else {
          Files.deleteIfExists(p);
        }
        // stderr, not the logger: logging may already be shut down
        System.err.println("shutting down: deleted " + p);
      } catch (IOException | RuntimeException e) {
        System.err.println("shutting down: could not delete " + p + ": " + e);
      }
    }
  }

  /** The run is over (its own {@code finally} cleaned up): nothing is deleted at shutdown any more. */
  @Override
  public void close() {
    paths.clear();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      LOG.debug("shutdown in progress: the hook runs");
    }
  }
}
