package dev.rebuild.core.provenance;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.List;

/**
 * Dead Simple Signing Envelopes (DSSE v1), the envelope {@code cosign verify-blob-attestation}
 * reads: the payload and its type, base64, and signatures over their pre-authentication encoding.
 */
public final class Dsse {

  private Dsse() {}

  /** One DSSE envelope. */
  public record Envelope(String payloadType, String payload, List<Signature> signatures) {
    public Envelope {
      signatures = List.copyOf(signatures);
    }

    public byte[] payloadBytes() {
      return Base64.getDecoder().decode(payload);
    }
  }

  /** One signature; {@code keyid} empty when not known. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record Signature(String keyid, String sig) {}

  /** {@code PAE(type, body)}: {@code "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body}. */
  public static byte[] preAuthenticationEncoding(String payloadType, byte[] body) {
    byte[] type = payloadType.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(
        ("DSSEv1 " + type.length + " " + payloadType + " " + body.length + " ")
            .getBytes(StandardCharsets.UTF_8));
    out.writeBytes(body);
    return out.toByteArray();
  }

  /** Signs {@code body} and wraps it. */
  public static Envelope sign(String payloadType, byte[] body, Signer signer)
      throws GeneralSecurityException {
    byte[] sig = signer.sign(preAuthenticationEncoding(payloadType, body));
    return new Envelope(
        payloadType,
        Base64.getEncoder().encodeToString(body),
        List.of(new Signature(signer.keyId(), Base64.getEncoder().encodeToString(sig))));
  }

  /** Reads an envelope; null when {@code json} is not one. */
  static Envelope read(JsonNode json) {
    if (!json.hasNonNull("payloadType") || !json.hasNonNull("payload")) {
      return null;
    }
    try {
      return InToto.mapper().treeToValue(json, Envelope.class);
    } catch (java.io.IOException | IllegalArgumentException e) {
      return null;
    }
  }
}
