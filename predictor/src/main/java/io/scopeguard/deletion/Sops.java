package io.scopeguard.deletion;

/** Recognises SOPS-encrypted content, which Flux decrypts with keys scopeguard does not have. */
final class Sops {

  private Sops() {}

  /**
   * Encrypted values ({@code ENC[AES256_GCM,...]}) or SOPS metadata in YAML, JSON or dotenv form.
   */
  static boolean isEncrypted(String content) {
    return content.contains("ENC[AES256_GCM,")
        || content.contains("sops_mac=")
        || content.contains("sops_version=")
        || (content.contains("\"sops\"") && content.contains("\"mac\""));
  }
}
