package org.loomio.operator.model;

/**
 * One Loomio image: the full reference pods run ({@code repository:tag[@digest]}) and its tag, which names
 * the Loomio version or release series.
 */
public record LoomioImage(String reference, String tag) {}
