package io.scopeguard.approval;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Approve tokens. For scope reasons a token is the judged generation plus a short random part
 * ({@code 3-7f2a1c}): a manifest delivered from Git cannot carry a matching approval in advance,
 * and a token left over from an earlier hold approves nothing. For MassDeletion the token is the
 * revision itself, which a revision cannot know of itself.
 */
public final class Tokens {

  private static final SecureRandom RANDOM = new SecureRandom();

  private Tokens() {}

  public static String forGeneration(Long generation) {
    byte[] nonce = new byte[3];
    RANDOM.nextBytes(nonce);
    return (generation == null ? "0" : generation) + "-" + HexFormat.of().formatHex(nonce);
  }
}
