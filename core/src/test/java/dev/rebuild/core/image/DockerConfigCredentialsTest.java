package dev.rebuild.core.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rebuild.core.image.CredentialSource.Credential;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerConfigCredentialsTest {
  static final String SECRET = "s3cret-from-the-helper";

  @TempDir Path dir;

  /** Writes {@code docker-credential-NAME} into a bin directory of the test, as a sh script. */
  Path helper(String name, String script) throws Exception {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path f = bin.resolve("docker-credential-" + name);
    Files.writeString(f, "#!/bin/sh\n" + script + "\n");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
    return f;
  }

  /** An environment whose PATH finds the test's helpers first, then the system's sh tools. */
  Map<String, String> env() {
    return Map.of("PATH", dir.resolve("bin") + ":/usr/bin:/bin");
  }

  Path config(String json) throws Exception {
    Path f = dir.resolve("config.json");
    Files.writeString(f, json);
    return f;
  }

  static String auth(String user, String password) {
    return Base64.getEncoder()
        .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  static void assertNoSecretIn(Throwable e, String secret) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      assertFalse(String.valueOf(t.getMessage()).contains(secret), "secret in " + t);
      assertFalse(String.valueOf(t).contains(secret), "secret in " + t);
    }
  }

  @Test
  void readsAuthAndUsernamePasswordEntries() throws Exception {
    // dXNlcjpwYTpzcw== is base64 of "user:pa:ss": the password may hold colons.
    Path f =
        config(
            "{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\"dXNlcjpwYTpzcw==\"},"
                + "\"registry.example.org\":{\"username\":\"bot\",\"password\":\"tok\"}}}");
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
    Path f = config("{\"auths\": {\"x.io\": {\"auth\": \"secret-token\"");
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

  @Test
  void credsStoreHelperIsAskedWithTheServerUrlOnStdin() throws Exception {
    Path asked = dir.resolve("asked");
    helper(
        "store",
        "[ \"$1\" = get ] || exit 9\n"
            + "url=$(cat)\n"
            + "printf '%s\\n' \"$url\" >> "
            + asked
            + "\n"
            + "printf '{\"ServerURL\":\"%s\",\"Username\":\"bot\",\"Secret\":\""
            + SECRET
            + "\"}' \"$url\"");
    Path f =
        config(
            "{\"credsStore\":\"store\",\"auths\":{\"registry.example.org\":"
                + "{\"auth\":\""
                + auth("other", "other")
                + "\"}}}");
    DockerConfigCredentials c = new DockerConfigCredentials(f, env());
    assertEquals(Optional.of(new Credential("bot", SECRET)), c.forRegistry("registry.example.org"));
    assertEquals(Optional.of(new Credential("bot", SECRET)), c.forRegistry("docker.io"));
    assertEquals(Optional.of(new Credential("bot", SECRET)), c.forRegistry("registry.example.org"));
    assertEquals(
        "registry.example.org\nhttps://index.docker.io/v1/\n",
        Files.readString(asked),
        "Docker Hub by its v1 URL, others by host; each asked once");
  }

  @Test
  void notFoundInTheHelperFallsThroughToAuths() throws Exception {
    helper("store", "cat >/dev/null\necho 'credentials not found in native keychain'\nexit 1");
    Path f =
        config(
            "{\"credsStore\":\"store\",\"auths\":{\"registry.example.org\":{\"auth\":\""
                + auth("fromauths", "pw")
                + "\"}}}");
    DockerConfigCredentials c = new DockerConfigCredentials(f, env());
    assertEquals(
        Optional.of(new Credential("fromauths", "pw")), c.forRegistry("registry.example.org"));
    assertEquals(Optional.empty(), c.forRegistry("elsewhere.example.org"));
  }

  @Test
  void credHelpersForTheHostWinOverCredsStore() throws Exception {
    helper("store", "cat >/dev/null\necho '{\"Username\":\"general\",\"Secret\":\"g\"}'");
    helper("special", "cat >/dev/null\necho '{\"Username\":\"special\",\"Secret\":\"s\"}'");
    Path f =
        config(
            "{\"credsStore\":\"store\","
                + "\"credHelpers\":{\"123.dkr.ecr.example.com\":\"special\"}}");
    DockerConfigCredentials c = new DockerConfigCredentials(f, env());
    assertEquals(
        Optional.of(new Credential("special", "s")), c.forRegistry("123.dkr.ecr.example.com"));
    assertEquals(Optional.of(new Credential("general", "g")), c.forRegistry("ghcr.io"));
  }

  @Test
  void identityTokenGoesAsPasswordUnderItsUsername() throws Exception {
    helper(
        "store", "cat >/dev/null\necho '{\"Username\":\"<token>\",\"Secret\":\"" + SECRET + "\"}'");
    Path f = config("{\"credsStore\":\"store\"}");
    assertEquals(
        Optional.of(new Credential("<token>", SECRET)),
        new DockerConfigCredentials(f, env()).forRegistry("myregistry.azurecr.io"));
  }

  @Test
  void crashingHelperIsNamedWithoutItsOutput() throws Exception {
    helper(
        "crash",
        "cat >/dev/null\n"
            + "echo '{\"Username\":\"bot\",\"Secret\":\""
            + SECRET
            + "\"}'\n"
            + "echo 'token expired, run login' >&2\n"
            + "exit 3");
    Path f = config("{\"credHelpers\":{\"x.io\":\"crash\"}}");
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> new DockerConfigCredentials(f, env()).forRegistry("x.io"));
    assertTrue(e.getMessage().contains("docker-credential-crash"), e.getMessage());
    assertTrue(e.getMessage().contains("exit status 3"), e.getMessage());
    assertTrue(e.getMessage().contains("token expired, run login"), e.getMessage());
    assertNoSecretIn(e, SECRET);
  }

  @Test
  void unparsableAnswerIsAnErrorWithoutTheAnswer() throws Exception {
    helper("odd", "cat >/dev/null\necho 'Username=bot Secret=" + SECRET + "'");
    Path f = config("{\"credsStore\":\"odd\"}");
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> new DockerConfigCredentials(f, env()).forRegistry("x.io"));
    assertTrue(e.getMessage().contains("docker-credential-odd"), e.getMessage());
    assertNoSecretIn(e, SECRET);
  }

  @Test
  void hangingHelperIsStoppedAfterTheTimeout() throws Exception {
    Path pid = dir.resolve("sleep.pid");
    helper("hang", "sleep 60 &\necho $! > " + pid + "\nwait");
    Path f = config("{\"credsStore\":\"hang\"}");
    DockerConfigCredentials c = new DockerConfigCredentials(f, env(), Duration.ofSeconds(1));
    IllegalStateException e =
        assertTimeoutPreemptively(
            Duration.ofSeconds(20),
            () -> assertThrows(IllegalStateException.class, () -> c.forRegistry("x.io")));
    assertTrue(e.getMessage().contains("docker-credential-hang"), e.getMessage());
    assertTrue(e.getMessage().contains("within 1 s"), e.getMessage());
    long sleeper = Long.parseLong(Files.readString(pid).strip());
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (ProcessHandle.of(sleeper).map(ProcessHandle::isAlive).orElse(false)
        && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertFalse(
        ProcessHandle.of(sleeper).map(ProcessHandle::isAlive).orElse(false),
        "what the helper started is stopped too");
  }

  @Test
  void hugeAnswerIsRefusedWithoutReadingItAll() throws Exception {
    // A well-formed answer, but 100 KB: an unbounded reader would take it.
    helper(
        "big",
        "cat >/dev/null\n"
            + "printf '{\"Username\":\"bot\",\"Secret\":\""
            + SECRET
            + "'\n"
            + "head -c 100000 /dev/zero | tr '\\0' a\n"
            + "printf '\"}'");
    Path f = config("{\"credsStore\":\"big\"}");
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> new DockerConfigCredentials(f, env()).forRegistry("x.io"));
    assertTrue(e.getMessage().contains("docker-credential-big"), e.getMessage());
    assertTrue(e.getMessage().contains("more than 64 KiB"), e.getMessage());
    assertNoSecretIn(e, SECRET);
  }

  @Test
  void endlessOutputStopsTheHelperLongBeforeTheTimeout() throws Exception {
    helper("yes", "exec yes " + SECRET);
    Path f = config("{\"credsStore\":\"yes\"}");
    DockerConfigCredentials c = new DockerConfigCredentials(f, env());
    IllegalStateException e =
        assertTimeoutPreemptively(
            Duration.ofSeconds(15),
            () -> assertThrows(IllegalStateException.class, () -> c.forRegistry("x.io")));
    assertTrue(e.getMessage().contains("more than 64 KiB"), e.getMessage());
    assertNoSecretIn(e, SECRET);
  }

  @Test
  void missingHelperIsNamed() throws Exception {
    Files.createDirectories(dir.resolve("bin"));
    Path f = config("{\"credsStore\":\"desktop\"}");
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> new DockerConfigCredentials(f, env()).forRegistry("x.io"));
    assertTrue(e.getMessage().contains("docker-credential-desktop"), e.getMessage());
    assertTrue(e.getMessage().contains("not on the PATH"), e.getMessage());
  }

  @Test
  void helperNameCannotPointElsewhere() throws Exception {
    helper("x", "echo '{\"Username\":\"u\",\"Secret\":\"p\"}'");
    Path f = config("{\"credsStore\":\"../bin/docker-credential-x\"}");
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> new DockerConfigCredentials(f, env()).forRegistry("x.io"));
    assertTrue(e.getMessage().contains("not a plain name"), e.getMessage());
  }
}
