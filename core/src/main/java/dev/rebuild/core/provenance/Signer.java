package dev.rebuild.core.provenance;

import java.security.GeneralSecurityException;

/**
 * Signs DSSE envelopes. {@link KeySigner} signs with a private key the user holds. Keyless signing
 * (a short-lived certificate for an OIDC identity and a transparency-log entry) would be another
 * implementation: it needs services this build does not reach, so none is shipped.
 */
public interface Signer {

  /** The key id written into the envelope's signature; empty when the verifier is told the key. */
  String keyId();

  /** Signs the DSSE pre-authentication encoding of a payload. */
  byte[] sign(byte[] preAuthenticationEncoding) throws GeneralSecurityException;

  /** Names the key in the log: algorithm and size, never the key. */
  String describe();
}
