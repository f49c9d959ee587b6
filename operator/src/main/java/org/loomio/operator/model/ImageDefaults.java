package org.loomio.operator.model;

import java.util.Objects;
import java.util.regex.Pattern;
import org.loomio.operator.api.v1alpha1.ImageSpec;

/**
 * The images a stack runs when its spec names none: set once per operator (for example to a mirror
 * registry, {@code DEFAULT_LOOMIO_IMAGE} and friends), {@link #BUILT_IN} otherwise. The agent is the image
 * backup and restore pods run: the operator's own (its {@code backup} and {@code restore} commands). A field the spec
 * sets always wins. PostgreSQL is a repository only: its tag is the major version of the data
 * ({@code spec.database.embedded.version}), which no operator default may change.
 */
public record ImageDefaults(Ref loomio, String postgresRepository, Ref redis, Ref agent) {

  /** An image reference split into its parts; digest may be null. */
  public record Ref(String repository, String tag, String digest) {

    private static final Pattern REPOSITORY = Pattern.compile(ImageSpec.REPOSITORY_PATTERN);
    private static final Pattern TAG = Pattern.compile(ImageSpec.TAG_PATTERN);
    private static final Pattern DIGEST = Pattern.compile(ImageSpec.DIGEST_PATTERN);

    public Ref {
      Objects.requireNonNull(repository, "repository");
      Objects.requireNonNull(tag, "tag");
    }

    /**
     * Parses {@code repository:tag} or {@code repository:tag@sha256:<64 hex>} (the repository may carry a
     * registry host with a port). A tag is required: an operator default never means "latest".
     */
    public static Ref parse(String reference) {
      String s = reference == null ? "" : reference.trim();
      String digest = null;
      int at = s.indexOf('@');
      if (at >= 0) {
        digest = s.substring(at + 1);
        s = s.substring(0, at);
        if (!DIGEST.matcher(digest).matches()) {
          throw new IllegalArgumentException(
              "image " + reference + ": the digest must be sha256:<64 hex digits>");
        }
      }
      int colon = s.lastIndexOf(':');
      if (colon <= s.lastIndexOf('/')) {
        throw new IllegalArgumentException(
            "image " + reference + ": give repository:tag (a tag is required)");
      }
      String repository = s.substring(0, colon);
      String tag = s.substring(colon + 1);
      if (!REPOSITORY.matcher(repository).matches()) {
        throw new IllegalArgumentException(
            "image " + reference + ": invalid repository " + repository);
      }
      if (!TAG.matcher(tag).matches()) {
        throw new IllegalArgumentException("image " + reference + ": invalid tag " + tag);
      }
      return new Ref(repository, tag, digest);
    }

    @Override
    public String toString() {
      return repository + ":" + tag + (digest != null ? "@" + digest : "");
    }
  }

  public static final ImageDefaults BUILT_IN = new ImageDefaults(
      new Ref(Defaults.LOOMIO_REPOSITORY, Defaults.LOOMIO_TAG, null),
      Defaults.POSTGRES_REPOSITORY,
      new Ref(Defaults.REDIS_REPOSITORY, Defaults.REDIS_TAG, null),
      new Ref(Defaults.AGENT_REPOSITORY, Defaults.agentTag(), null));

  /** The same defaults with another Loomio, PostgreSQL and Redis, keeping the agent. */
  public ImageDefaults(Ref loomio, String postgresRepository, Ref redis) {
    this(loomio, postgresRepository, redis, BUILT_IN.agent());
  }

  public ImageDefaults withAgent(Ref value) {
    return new ImageDefaults(loomio, postgresRepository, redis, value);
  }

  public ImageDefaults {
    Objects.requireNonNull(loomio, "loomio");
    Objects.requireNonNull(redis, "redis");
    Objects.requireNonNull(agent, "agent");
    if (postgresRepository == null
        || !Ref.REPOSITORY.matcher(postgresRepository).matches()
        || postgresRepository.substring(postgresRepository.lastIndexOf('/') + 1).contains(":")) {
      throw new IllegalArgumentException("invalid PostgreSQL image repository " + postgresRepository
          + " (a repository without a tag: the tag is the database's major version)");
    }
  }
}
