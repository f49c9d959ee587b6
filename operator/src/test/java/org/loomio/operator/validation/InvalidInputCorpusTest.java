package org.loomio.operator.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bad-input corpus (src/test/resources/invalid): each file says which field must be named in the error
 * ({@code # expect:}) and what refuses it on a current cluster ({@code # refused-by:} schema, cel, pruned
 * or operator; or render, for what only a file given to the render CLI can hold: a namespace the API server
 * would never see as a field, a key written twice). Without a cluster, the render CLI's checks must refuse
 * every one of them, naming the field.
 */
class InvalidInputCorpusTest {

  static final Path CORPUS = Path.of("src/test/resources/invalid");

  static Stream<Path> corpus() throws IOException {
    try (Stream<Path> files = Files.list(CORPUS)) {
      return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList().stream();
    }
  }

  @Test
  void theCorpusIsLargeEnoughAndCoversEveryKindOfRefusal() throws IOException {
    List<Path> files = corpus().toList();
    assertThat(files).hasSizeGreaterThanOrEqualTo(10);
    List<String> kinds =
        files.stream().map(p -> header(p, "refused-by")).distinct().toList();
    assertThat(kinds).contains("schema", "cel", "pruned", "operator");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void refusedWithTheFieldNamed(Path file) throws IOException {
    String expected = header(file, "expect");
    List<ResourceReader.Result> results = ResourceReader.read(
        new StringReader(Files.readString(file)), file.getFileName().toString(), null);
    assertThat(results).singleElement().satisfies(r -> {
      assertThat(r.valid()).as("refused").isFalse();
      assertThat(r.error().violations())
          .as(r.error().getMessage())
          .anySatisfy(v -> assertThat(v.field()).startsWith(expected));
    });
  }

  /** The operator's own check (what runs where CEL does not) catches every cross-field rule too. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void crossFieldRulesAreAlsoTheOperatorsOwn(Path file) throws IOException {
    String by = header(file, "refused-by");
    if (!by.equals("cel") && !by.equals("operator")) {
      return;
    }
    var resource = org.loomio.operator.testing.Fixtures.fromFile(file);
    assertThat(SpecValidator.validate(resource))
        .as(file.toString())
        .anySatisfy(v -> assertThat(v.field()).startsWith(header(file, "expect")));
  }

  static String header(Path file, String key) {
    try {
      return Files.readAllLines(file).stream()
          .filter(l -> l.startsWith("# " + key + ":"))
          .map(l -> l.substring(l.indexOf(':') + 1).trim())
          .findFirst()
          .orElseThrow(() -> new AssertionError(file + " lacks '# " + key + ":'"));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
