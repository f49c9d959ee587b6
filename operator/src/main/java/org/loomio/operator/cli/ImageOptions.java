package org.loomio.operator.cli;

import org.loomio.operator.model.ImageDefaults;
import org.loomio.operator.upgrade.LoomioReleases;
import picocli.CommandLine.Option;

/**
 * The default images of stacks whose spec names none, shared by run and render (so that render shows what
 * an operator configured the same way would create). Each defaults to its environment variable.
 */
public final class ImageOptions {

  @Option(
      names = "--default-loomio-image",
      paramLabel = "REPO:TAG[@DIGEST]",
      defaultValue = "${env:DEFAULT_LOOMIO_IMAGE}",
      description =
          "The Loomio image of a stack whose spec names none (DEFAULT_LOOMIO_IMAGE; default loomio/loomio:3.5).")
  String defaultLoomioImage;

  @Option(
      names = "--default-postgres-repository",
      paramLabel = "REPO",
      defaultValue = "${env:DEFAULT_POSTGRES_REPOSITORY}",
      description =
          "The embedded PostgreSQL image repository; its tag is the database's major version"
              + " (DEFAULT_POSTGRES_REPOSITORY; default postgres).")
  String defaultPostgresRepository;

  @Option(
      names = "--default-redis-image",
      paramLabel = "REPO:TAG[@DIGEST]",
      defaultValue = "${env:DEFAULT_REDIS_IMAGE}",
      description = "The embedded Redis image (DEFAULT_REDIS_IMAGE; default redis:8.4).")
  String defaultRedisImage;

  @Option(
      names = "--default-agent-image",
      paramLabel = "REPO:TAG[@DIGEST]",
      defaultValue = "${env:DEFAULT_AGENT_IMAGE}",
      description =
          "The image backup and restore pods run: the operator's own, which the Helm chart sets"
              + " (DEFAULT_AGENT_IMAGE; default ghcr.io/loomio-operator/loomio-operator:<this version>).")
  String defaultAgentImage;

  /** The built-in images with the ones given replaced; a malformed one is an IllegalArgumentException naming it. */
  ImageDefaults images() {
    ImageDefaults builtIn = ImageDefaults.BUILT_IN;
    ImageDefaults.Ref loomio =
        blank(defaultLoomioImage) ? builtIn.loomio() : ImageDefaults.Ref.parse(defaultLoomioImage);
    if (LoomioReleases.support(loomio.tag()) != LoomioReleases.Support.SERVED) {
      throw new IllegalArgumentException("default Loomio image " + loomio
          + ": the default must be a release the" + " operator's pods run, "
          + LoomioReleases.OLDEST_SERVED + " or later");
    }
    return new ImageDefaults(
        loomio,
        blank(defaultPostgresRepository)
            ? builtIn.postgresRepository()
            : defaultPostgresRepository.trim(),
        blank(defaultRedisImage) ? builtIn.redis() : ImageDefaults.Ref.parse(defaultRedisImage),
        blank(defaultAgentImage) ? builtIn.agent() : ImageDefaults.Ref.parse(defaultAgentImage));
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
