package org.loomio.operator.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every command a user is shown works verbatim or says what it needs. The commands are those of the shell code
 * blocks ({@code ```sh}, {@code bash}, {@code shell}, {@code console}) of README.md, the chart's README and
 * docs/*.md, and the indented lines of the chart's NOTES.txt. Each is either
 *
 * <ul>
 *   <li>run here, verbatim, from the repository root: {@code java -jar operator/target/loomio-operator.jar ...}
 *       (anything but {@code run}, which needs a cluster), as a separate JVM on the build's classes (the jar is
 *       packaged after the tests), and must exit 0; or
 *   <li>marked with what it needs, by a comment line above it: {@link #MARKERS}. A marker covers the commands
 *       after it up to the next blank line or the end of the block. The end-to-end suite runs the operator jar,
 *       the chart's RBAC and every example on a real API server; the rest needs what its marker says.
 * </ul>
 */
class DocsCommandsTest {

  private static final Path ROOT = Path.of(System.getProperty("examples.dir", "../examples"))
      .toAbsolutePath()
      .normalize()
      .getParent();

  /** What a command that is not run here needs; the only comments that mark one. */
  static final List<String> MARKERS = List.of(
      "# needs a real cluster",
      "# needs a container engine",
      "# needs Maven",
      "# needs a real backup");

  private static final List<String> JAR =
      List.of("java", "-jar", "operator/target/loomio-operator.jar");
  private static final Pattern FENCE = Pattern.compile("^(\\s*)```(\\w*)\\s*$");
  private static final Pattern HEREDOC = Pattern.compile("<<-?'?\"?([A-Za-z_]+)");

  /** One command as written (continuation lines and here-documents joined), where, and its marker if any. */
  record Command(String where, String text, String marker) {
    @Override
    public String toString() {
      return where + ": " + text;
    }
  }

  static List<Path> sources() throws IOException {
    List<Path> files = new ArrayList<>(
        List.of(ROOT.resolve("README.md"), ROOT.resolve("helm/loomio-operator/README.md")));
    try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
    }
    return files;
  }

  /** Every command of the shell blocks of the Markdown files and of NOTES.txt. */
  static List<Command> commands() throws IOException {
    List<Command> all = new ArrayList<>();
    for (Path file : sources()) {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      for (int i = 0; i < lines.size(); i++) {
        Matcher open = FENCE.matcher(lines.get(i));
        if (!open.matches()) {
          continue;
        }
        int indent = open.group(1).length();
        boolean shell = List.of("sh", "bash", "shell", "console").contains(open.group(2));
        List<String> block = new ArrayList<>();
        int first = i + 2; // the line number (from 1) of the block's first line
        for (i++; i < lines.size() && !FENCE.matcher(lines.get(i)).matches(); i++) {
          String l = lines.get(i);
          block.add(
              l.length() >= indent && l.substring(0, indent).isBlank()
                  ? l.substring(indent)
                  : l.strip());
        }
        if (shell) {
          all.addAll(parse(ROOT.relativize(file).toString(), first, block));
        }
      }
    }
    Path notes = ROOT.resolve("helm/loomio-operator/templates/NOTES.txt");
    List<String> indented = new ArrayList<>();
    for (String l : Files.readAllLines(notes, StandardCharsets.UTF_8)) {
      // the commands are the lines indented by two; prose is not indented (a blank line ends a
      // paragraph)
      indented.add(l.startsWith("  ") ? l.substring(2) : "");
    }
    all.addAll(parse(ROOT.relativize(notes).toString(), 1, indented));
    return all;
  }

  private static List<Command> parse(String file, int firstLine, List<String> block) {
    List<Command> commands = new ArrayList<>();
    String marker = null;
    for (int j = 0; j < block.size(); j++) {
      String line = block.get(j);
      if (line.isBlank()) {
        marker = null;
        continue;
      }
      if (line.startsWith("#")) {
        if (line.strip().startsWith("# needs")) {
          marker = line.strip();
        }
        continue;
      }
      int at = firstLine + j;
      StringBuilder text = new StringBuilder(line);
      while (text.toString().endsWith("\\") && j + 1 < block.size()) {
        text.setLength(text.length() - 1);
        text.append(' ').append(block.get(++j).strip());
      }
      Matcher heredoc = HEREDOC.matcher(text);
      if (heredoc.find()) {
        String end = heredoc.group(1);
        while (j + 1 < block.size() && !block.get(j).strip().equals(end)) {
          text.append('\n').append(block.get(++j));
        }
      }
      commands.add(new Command(file + ":" + at, text.toString().strip(), marker));
    }
    return commands;
  }

  /** The words of a simple command (quotes removed, a trailing comment dropped), or null if it uses the shell. */
  static List<String> words(String command) {
    List<String> words = new ArrayList<>();
    StringBuilder word = null;
    char quote = 0;
    for (int k = 0; k < command.length(); k++) {
      char c = command.charAt(k);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else {
          word.append(c);
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
        word = word == null ? new StringBuilder() : word;
      } else if (Character.isWhitespace(c)) {
        if (word != null) {
          words.add(word.toString());
          word = null;
        }
      } else if (c == '#' && word == null) {
        break;
      } else if ("|&;<>$`(){}*?\\".indexOf(c) >= 0) {
        return null;
      } else {
        word = word == null ? new StringBuilder() : word;
        word.append(c);
      }
    }
    if (word != null) {
      words.add(word.toString());
    }
    return words;
  }

  /** A command this test runs: the jar, anything but {@code run}, as a simple command. */
  static boolean runnable(Command c) {
    List<String> w = words(c.text());
    return w != null
        && w.size() > JAR.size()
        && w.subList(0, JAR.size()).equals(JAR)
        && !w.get(JAR.size()).equals("run");
  }

  @Test
  void everyCommandIsRunHereOrMarkedWithWhatItNeeds() throws IOException {
    List<Command> commands = commands();
    assertThat(commands).as("commands found").hasSizeGreaterThan(50);
    List<String> unmarked = new ArrayList<>();
    List<String> markedButRunnable = new ArrayList<>();
    for (Command c : commands) {
      if (runnable(c)) {
        if (c.marker() != null) {
          markedButRunnable.add(c.toString());
        }
      } else if (c.marker() == null) {
        unmarked.add(c.toString());
      } else {
        assertThat(MARKERS).as("the marker of " + c).contains(c.marker());
      }
    }
    assertThat(unmarked)
        .as("commands neither run by this test nor marked (" + String.join(", ", MARKERS) + ")")
        .isEmpty();
    assertThat(markedButRunnable).as("commands this test runs need no marker").isEmpty();
  }

  @Test
  void theJarCommandsRunVerbatimFromTheRepositoryRoot() throws Exception {
    List<Command> runnable =
        commands().stream().filter(DocsCommandsTest::runnable).toList();
    assertThat(runnable)
        .as("the README's and NOTES.txt's render commands at least")
        .hasSizeGreaterThanOrEqualTo(3)
        .anySatisfy(c -> assertThat(c.where()).startsWith("README.md"))
        .anySatisfy(c -> assertThat(c.where()).contains("NOTES.txt"));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    for (Command c : runnable) {
      List<String> argv = new ArrayList<>(List.of(
          java, "-cp", System.getProperty("java.class.path"), "org.loomio.operator.cli.Main"));
      argv.addAll(words(c.text()).subList(JAR.size(), words(c.text()).size()));
      Path out = Files.createTempFile("docs-command", ".out");
      Path err = Files.createTempFile("docs-command", ".err");
      try {
        // stderr apart: render's warnings (an old --kube-version) go there, the manifests to stdout
        Process p = new ProcessBuilder(argv)
            .directory(ROOT.toFile())
            .redirectError(err.toFile())
            .redirectOutput(out.toFile())
            .start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as(c + " finished").isTrue();
        String output = Files.readString(out);
        assertThat(p.exitValue()).as(c + "\n" + output + Files.readString(err)).isZero();
        if (words(c.text()).contains("render") && !words(c.text()).contains("--help")) {
          assertThat(output)
              .as(c.toString())
              .startsWith("# LoomioDeployment ")
              .contains("\nkind: \"Deployment\"");
        }
      } finally {
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
      }
    }
  }

  @Test
  void theParserFindsWhatItShould() {
    List<Command> parsed = parse(
        "x.md",
        10,
        List.of(
            "# needs a real cluster",
            "kubectl get a \\",
            "  --watch",
            "kubectl apply -f - <<YAML",
            "kind: X",
            "YAML",
            "",
            "java -jar operator/target/loomio-operator.jar --help",
            "# a plain comment",
            "java -jar operator/target/loomio-operator.jar render -f a.yaml   # a note"));
    assertThat(parsed)
        .extracting(Command::where)
        .containsExactly("x.md:11", "x.md:13", "x.md:17", "x.md:19");
    assertThat(parsed.get(0).text()).isEqualTo("kubectl get a  --watch");
    assertThat(parsed.get(1).text()).isEqualTo("kubectl apply -f - <<YAML\nkind: X\nYAML");
    assertThat(parsed.get(1).marker()).isEqualTo("# needs a real cluster");
    assertThat(parsed.get(2).marker()).as("a blank line ends the marker").isNull();
    assertThat(runnable(parsed.get(2))).isTrue();
    assertThat(words(parsed.get(3).text()))
        .containsExactly(
            "java", "-jar", "operator/target/loomio-operator.jar", "render", "-f", "a.yaml");
    assertThat(words("KUBECONFIG=x java -jar operator/target/loomio-operator.jar run"))
        .isNotNull();
    assertThat(
            runnable(new Command("x", "java -jar operator/target/loomio-operator.jar run", null)))
        .isFalse();
    assertThat(words("mvn -q package && java -jar operator/target/loomio-operator.jar render -f a"))
        .isNull();
  }
}
