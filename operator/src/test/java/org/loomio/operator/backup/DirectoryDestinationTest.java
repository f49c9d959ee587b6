package org.loomio.operator.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class DirectoryDestinationTest extends DestinationContractTest {

  private Path root() throws Exception {
    return Files.createDirectories(tmp.resolve("backups"));
  }

  @Override
  Destination destination() throws Exception {
    return new DirectoryDestination(root(), STACK);
  }

  @Override
  Destination destination(int maxBackups) throws Exception {
    return new DirectoryDestination(root(), STACK, maxBackups);
  }

  @Override
  void putRaw(String relativeKey, byte[] content) throws Exception {
    Path p = root().resolve(relativeKey);
    Files.createDirectories(p.getParent());
    Files.write(p, content);
  }

  @Override
  List<String> rawKeys() throws Exception {
    Path root = root();
    try (Stream<Path> files = Files.walk(root)) {
      return files
          .filter(Files::isRegularFile)
          .map(p -> root.relativize(p).toString())
          .toList();
    }
  }

  @Test
  void leavesNoPartialFilesBehind() throws Exception {
    try (Destination d = destination()) {
      Path f = file("db", 1000);
      d.put(B1, "database.dump.pgp", f, Digests.sha256(f).sha256());
      d.writeManifest(manifest(B1, List.of()));
    }
    assertThat(rawKeys()).noneMatch(k -> k.endsWith(".partial"));
  }

  /** A link to a file elsewhere, or a backup directory linked to another stack's, is never followed. */
  @Test
  void refusesSymbolicLinks() throws Exception {
    Path secret = Files.writeString(tmp.resolve("secret"), "not a backup");
    putRaw("other-20250101T020000Z/manifest.json", "{}".getBytes());
    Files.createDirectories(root().resolve(B1));
    Files.createSymbolicLink(root().resolve(B1).resolve("manifest.json"), secret);
    Files.createSymbolicLink(root().resolve(B2), root().resolve("other-20250101T020000Z"));
    try (Destination d = destination()) {
      assertThatThrownBy(() -> d.open(B1, "manifest.json"))
          .hasMessageContaining("is not a regular file");
      assertThatThrownBy(() -> d.readManifest(B1)).hasMessageContaining("is not a regular file");
      assertThatThrownBy(() -> d.open(B2, "manifest.json"))
          .hasMessageContaining("is not a directory");
      assertThat(d.list()).extracting(Destination.Listing::name).containsExactly(B1);
    }
  }

  /** A FIFO would block the reader forever: refused before it is opened. */
  @Test
  void refusesAFifoInsteadOfBlockingOnIt() throws Exception {
    Files.createDirectories(root().resolve(B1));
    Path fifo = root().resolve(B1).resolve("manifest.json");
    Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
    assertThat(mkfifo.waitFor()).isZero();
    try (Destination d = destination()) {
      assertThatThrownBy(() -> d.readManifest(B1)).hasMessageContaining("is not a regular file");
    }
  }
}
