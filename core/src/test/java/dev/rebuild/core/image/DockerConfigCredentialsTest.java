package dev.rebuild.core.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rebuild.core.image.CredentialSource.Credential;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerConfigCredentialsTest {
  @TempDir Path dir;

  @Test
  void readsAuthAndUsernamePasswordEntries() throws Exception {
    Path f = dir.resolve("config.json");
    // dXNlcjpwYTpzcw== is base64 of "user:pa:ss": the password may hold colons.
    Files.writeString(
        f,
        "{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\"dXNlcjpwYTpzcw==\"},"
            + "\"registry.example.org\":{\"username\":\"bot\",\"password\":\"tok\"}},"
            + "\"credHelpers\":{\"ghcr.io\":\"desktop\"}}");
    DockerConfigCredentials c = new DockerConfigCredentials(f);
    assertEquals(Optional.of(new Credential("user", "pa:ss")), c.forRegistry("docker.io"));
    assertEquals(Optional.of(new Credential("bot", "tok")), c.forRegistry("registry.example.org"));
    assertEquals(Optional.empty(), c.forRegistry("ghcr.io"));
  }

  @Test
  void missingFileMeansNoCredentials() {
    assertEquals(
        Optional.empty(),
        new DockerConfigCredentials(dir.resolve("nope.json")).forRegistry("x.io"));
  }

  @Test
  void brokenFileNamesTheFileNotItsContent() throws Exception {
    Path f = dir.resolve("config.json");
    Files.writeString(f, "{\"auths\": {\"x.io\": {\"auth\": \"secret-token\"");
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class, () -> new DockerConfigCredentials(f).forRegistry("x.io"));
    assertTrue(e.getMessage().contains(f.toString()));
    assertFalse(e.getMessage().contains("secret-token"));
  }

  @Test
  void credentialToStringHidesThePassword() {
    assertFalse(new Credential("u", "hunter2").toString().contains("hunter2"));
  }
}
