package org.loomio.operator.render.pod;

/**
 * A writable path of a read-only container, backed by a sized emptyDir.
 *
 * @param volume volume name
 * @param mountPath where the containers see it
 * @param sizeLimit emptyDir sizeLimit (a cap; it also sizes the default ephemeral-storage limit)
 * @param memory true for a tmpfs (medium Memory; counts against the memory limit, not ephemeral storage)
 */
public record Scratch(String volume, String mountPath, String sizeLimit, boolean memory) {

  public static Scratch disk(String volume, String mountPath, String sizeLimit) {
    return new Scratch(volume, mountPath, sizeLimit, false);
  }

  public static Scratch memory(String volume, String mountPath, String sizeLimit) {
    return new Scratch(volume, mountPath, sizeLimit, true);
  }
}
