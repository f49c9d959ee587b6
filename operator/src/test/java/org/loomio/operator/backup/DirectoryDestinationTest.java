package org.loomio.operator.backup;

import static org.assertj.core.api.Assertions.assertThat;

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
  void putRaw(String relativeKey, byte[] content) throws Exception {
    Path p = root().resolve(relativeKey);
    Files.createDirectories(p.getParent());
    Files.write(p, content);
  }

  @Override
  List<String> rawKeys() throws Exception {
    Path root = root();
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()).toList();
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
}
