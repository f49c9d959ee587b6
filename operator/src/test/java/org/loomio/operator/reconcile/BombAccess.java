package org.loomio.operator.reconcile;

import com.fasterxml.jackson.databind.JsonNode;

/** Lets the bomb runner (another package) call the operator's own credentials decryption. */
public final class BombAccess {

  private BombAccess() {}

  public static JsonNode decryptCredentials(String privateKey, String ciphertextBase64)
      throws Exception {
    return LoomioRestoreReconciler.decryptCredentials(false, privateKey, ciphertextBase64);
  }
}
