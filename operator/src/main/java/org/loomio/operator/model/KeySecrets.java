package org.loomio.operator.model;

/**
 * The keys of the OpenPGP key Secrets the operator generates (the backup key pair {@code <name>-backup-key} and
 * the signing key): here, below both, because the render layer mounts them and the generators write them.
 */
public final class KeySecrets {

  /** The private key, armored. */
  public static final String PRIVATE_KEY = "private.asc";

  /** The public key, armored. */
  public static final String PUBLIC_KEY = "public.asc";

  private KeySecrets() {}
}
