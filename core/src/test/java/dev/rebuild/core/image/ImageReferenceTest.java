package dev.rebuild.core.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ImageReferenceTest {
  @Test
  void parsesRegistryRepositoryTagAndDigest() throws Exception {
    ImageReference r = ImageReference.parse("127.0.0.1:5000/nsqio/nsq:v1.3.0");
    assertEquals(new ImageReference("127.0.0.1:5000", "nsqio/nsq", "v1.3.0", null), r);
    ImageReference hub = ImageReference.parse("nsqio/nsq:v1.3.0");
    assertEquals("docker.io", hub.registry());
    assertEquals("library/alpine", ImageReference.parse("alpine").repository());
    String d = "sha256:" + "a".repeat(64);
    assertEquals(d, ImageReference.parse("ghcr.io/x/y@" + d).reference());
  }

  @Test
  void rejectsMalformedReferencesNamingTheForm() {
    ImageException e =
        assertThrows(ImageException.class, () -> ImageReference.parse("Registry/Upper:tag"));
    assertTrue(e.getMessage().contains("registry.example.org/group/name:tag"), e.getMessage());
  }

  @Test
  void parsesBearerChallenges() {
    assertEquals(
        Map.of(
            "realm",
            "https://auth.example.org/token",
            "service",
            "reg",
            "scope",
            "repository:a/b:pull"),
        RegistryClient.challengeParams(
            "Bearer realm=\"https://auth.example.org/token\",service=\"reg\",scope=\"repository:a/b:pull\""));
  }
}
