package dev.rebuild.core.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Credentials from a Docker {@code config.json}: first its credential helper for the registry
 * ({@code credHelpers.<host>}, else {@code credsStore}), run as the Docker CLI runs it; then {@code
 * auths.<host>.auth} (base64 of {@code user:password}) or {@code auths.<host>.username}/{@code
 * password}.
 *
 * <p>A helper {@code NAME} is the program {@code docker-credential-NAME} on the PATH, called with
 * {@code get}, the server URL on stdin, answering {@code {"ServerURL","Username","Secret"}} on
 * stdout. It runs at most {@link #HELPER_TIMEOUT} and may print at most {@link
 * #HELPER_OUTPUT_LIMIT} bytes. A username {@code <token>} marks an identity token: it is used as
 * the password with that username, which registries that accept identity tokens by basic auth take.
 * Each registry's answer is asked once per instance.
 */
public final class DockerConfigCredentials implements CredentialSource {

  /** How long a credential helper may take: ecr-login or gcloud may call their cloud first. */
  public static final Duration HELPER_TIMEOUT = Duration.ofSeconds(30);

  /** The most a helper may print on stdout or stderr; its answer is a few hundred bytes. */
  public static final int HELPER_OUTPUT_LIMIT = 64 * 1024;

  /** The message of docker-credential-helpers for "no credentials for this server". */
  private static final String NOT_FOUND = "credentials not found in native keychain";

  private final Path file;
  private final Map<String, String> environment;
  private final Duration timeout;
  private final Map<String, Optional<Credential>> helperAnswers = new HashMap<>();

  /** The config {@code file}; helpers run with this process's environment. */
  public DockerConfigCredentials(Path file) {
    this(file, System.getenv());
  }

  /**
   * The config {@code file}; helpers are looked up on the {@code PATH} of {@code environment} and
   * run with exactly that environment.
   */
  public DockerConfigCredentials(Path file, Map<String, String> environment) {
    this(file, environment, HELPER_TIMEOUT);
  }

  DockerConfigCredentials(Path file, Map<String, String> environment, Duration timeout) {
    this.file = file;
    this.environment = Map.copyOf(environment);
    this.timeout = timeout;
  }

  /** {@code $DOCKER_CONFIG/config.json}, else {@code ~/.docker/config.json}. */
  public static DockerConfigCredentials fromEnvironment() {
    String dir = System.getenv("DOCKER_CONFIG");
    Path base =
        dir != null && !dir.isBlank()
            ? Path.of(dir)
            : Path.of(System.getProperty("user.home"), ".docker");
    return new DockerConfigCredentials(base.resolve("config.json"));
  }

  /**
   * @throws IllegalStateException naming the file when it exists but cannot be read or parsed
   *     (never its content), or naming the helper when it is missing, fails, hangs or answers
   *     nonsense (never its output)
   */
  @Override
  public synchronized Optional<Credential> forRegistry(String registry) {
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot read the Docker config " + file + ": it is not valid JSON; fix or remove it");
    }
    if (root == null || !root.isObject()) {
      return Optional.empty();
    }
    String host = hostOf(registry);
    String helper = helperFor(root, host);
    if (helper != null) {
      Optional<Credential> answer = helperAnswers.get(host);
      if (answer == null) {
        answer = askHelper(helper, host);
        helperAnswers.put(host, answer);
      }
      if (answer.isPresent()) {
        return answer;
      }
    }
    JsonNode auths = root.get("auths");
    if (auths == null || !auths.isObject()) {
      return Optional.empty();
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = auths.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (hostOf(e.getKey()).equals(host)) {
        return parse(e.getValue(), e.getKey());
      }
    }
    return Optional.empty();
  }

  /** {@code credHelpers[host]} wins over {@code credsStore}, as in the Docker CLI. */
  private String helperFor(JsonNode root, String host) {
    JsonNode helpers = root.get("credHelpers");
    if (helpers != null && helpers.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = helpers.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (hostOf(e.getKey()).equals(host) && !e.getValue().asText("").isEmpty()) {
          return checkedName(e.getValue().asText());
        }
      }
    }
    JsonNode store = root.get("credsStore");
    if (store != null && store.isTextual() && !store.asText().isEmpty()) {
      return checkedName(store.asText());
    }
    return null;
  }

  /** A helper name becomes part of a program name: no path may hide in it. */
  private String checkedName(String name) {
    if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
      throw new IllegalStateException(
          "the credential helper name '"
              + name
              + "' in "
              + file
              + " is not a plain name (letters, digits, '.', '_', '-'); fix "
              + file);
    }
    return name;
  }

  private Optional<Credential> askHelper(String name, String host) {
    String program = "docker-credential-" + name;
    Path exe = onPath(program);
    // Docker Hub's credentials are stored under its old v1 URL; all others under the host.
    String serverUrl = host.equals("docker.io") ? "https://index.docker.io/v1/" : host;
    Process process;
    try {
      ProcessBuilder pb = new ProcessBuilder(exe.toString(), "get");
      pb.environment().clear();
      pb.environment().putAll(environment);
      process = pb.start();
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot run the Docker credential helper " + exe + " (from " + file + "): " + e);
    }
    Bounded out = new Bounded(process.getInputStream(), process);
    Bounded err = new Bounded(process.getErrorStream(), process);
    out.start();
    err.start();
    try (OutputStream in = process.getOutputStream()) {
      in.write(serverUrl.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      // A helper that does not read stdin gets judged by its answer.
    }
    int exit;
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        kill(process);
        throw new IllegalStateException(
            "the Docker credential helper "
                + program
                + " did not answer for "
                + host
                + " within "
                + timeout.toSeconds()
                + " s; it was stopped. Check it with: echo "
                + serverUrl
                + " | "
                + program
                + " get");
      }
      exit = process.exitValue();
      out.join(TimeUnit.SECONDS.toMillis(5));
      err.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      kill(process);
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while " + program + " was running");
    }
    if (out.overflow.get() || err.overflow.get()) {
      throw new IllegalStateException(
          "the Docker credential helper "
              + program
              + " printed more than "
              + HELPER_OUTPUT_LIMIT / 1024
              + " KiB for "
              + host
              + "; it was stopped");
    }
    if (out.isAlive() || err.isAlive()) {
      throw new IllegalStateException(
          "the Docker credential helper "
              + program
              + " exited but something it started kept its output open");
    }
    String stdout = out.text();
    String stderr = err.text();
    if (exit != 0) {
      if (stdout.contains(NOT_FOUND) || stderr.contains(NOT_FOUND)) {
        return Optional.empty();
      }
      String reason = firstLine(stderr);
      throw new IllegalStateException(
          "the Docker credential helper "
              + program
              + " failed for "
              + host
              + " (exit status "
              + exit
              + (reason.isEmpty() ? "" : ": " + reason)
              + ")");
    }
    JsonNode answer;
    try {
      answer = new ObjectMapper().readTree(stdout);
    } catch (IOException e) {
      // Not chained: the parser's message quotes the output, which may hold the secret.
      answer = null;
    }
    JsonNode username = answer == null ? null : answer.get("Username");
    JsonNode secret = answer == null ? null : answer.get("Secret");
    if (username == null || secret == null || !username.isTextual() || !secret.isTextual()) {
      throw new IllegalStateException(
          "the Docker credential helper "
              + program
              + " answered for "
              + host
              + " with something other than {\"Username\":...,\"Secret\":...}");
    }
    if (username.asText().isEmpty() && secret.asText().isEmpty()) {
      return Optional.empty();
    }
    // An identity token (username "<token>") goes as the password under that username.
    return Optional.of(new Credential(username.asText(), secret.asText()));
  }

  private Path onPath(String program) {
    String path = null;
    for (Map.Entry<String, String> e : environment.entrySet()) {
      if (e.getKey().equalsIgnoreCase("PATH")) {
        path = e.getValue();
      }
    }
    List<String> names = new ArrayList<>(List.of(program));
    if (System.getProperty("os.name", "").startsWith("Windows")) {
      names.add(0, program + ".exe");
    }
    if (path != null) {
      for (String dir : path.split(java.io.File.pathSeparator)) {
        // An empty entry would mean the working directory: never run a helper from there.
        if (dir.isEmpty()) {
          continue;
        }
        for (String n : names) {
          Path candidate = Path.of(dir).resolve(n);
          if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
            return candidate;
          }
        }
      }
    }
    throw new IllegalStateException(
        "the Docker credential helper "
            + program
            + " that "
            + file
            + " names is not on the PATH; install it or remove it from "
            + file);
  }

  private static void kill(Process process) {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }

  private static String firstLine(String text) {
    String line = text.strip().lines().findFirst().orElse("");
    line = line.replaceAll("\\p{Cntrl}", " ");
    return line.length() > 200 ? line.substring(0, 200) + "..." : line;
  }

  /** Reads a helper's stream up to the limit; past it, stops the helper. */
  private static final class Bounded extends Thread {
    private final InputStream in;
    private final Process process;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final AtomicBoolean overflow = new AtomicBoolean();

    Bounded(InputStream in, Process process) {
      this.in = in;
      this.process = process;
      setDaemon(true);
      setName("docker-credential-helper-output");
    }

    @Override
    public void run() {
      byte[] buf = new byte[8192];
      try (in) {
        int n;
        while ((n = in.read(buf)) >= 0) {
          synchronized (bytes) {
            if (bytes.size() + n > HELPER_OUTPUT_LIMIT) {
              overflow.set(true);
              kill(process);
              return;
            }
            bytes.write(buf, 0, n);
          }
        }
      } catch (IOException e) {
        // The helper was stopped or closed its output: what was read is judged.
      }
    }

    String text() {
      synchronized (bytes) {
        return bytes.toString(StandardCharsets.UTF_8);
      }
    }
  }

  private Optional<Credential> parse(JsonNode entry, String key) {
    JsonNode auth = entry.get("auth");
    if (auth != null && auth.isTextual() && !auth.asText().isEmpty()) {
      String decoded;
      try {
        decoded = new String(Base64.getDecoder().decode(auth.asText()), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException(
            "the 'auth' entry for " + key + " in " + file + " is not base64 of user:password");
      }
      int colon = decoded.indexOf(':');
      if (colon < 0) {
        throw new IllegalStateException(
            "the 'auth' entry for " + key + " in " + file + " is not base64 of user:password");
      }
      return Optional.of(new Credential(decoded.substring(0, colon), decoded.substring(colon + 1)));
    }
    JsonNode user = entry.get("username");
    JsonNode pass = entry.get("password");
    if (user != null && pass != null) {
      return Optional.of(new Credential(user.asText(), pass.asText()));
    }
    return Optional.empty();
  }

  /** Keys may be {@code https://host/v1/} (old docker login) or plain {@code host}. */
  static String hostOf(String key) {
    String k = key.replaceFirst("^[a-zA-Z]+://", "");
    int slash = k.indexOf('/');
    if (slash >= 0) {
      k = k.substring(0, slash);
    }
    if (k.equals("index.docker.io") || k.equals("registry-1.docker.io")) {
      return "docker.io";
    }
    return k.toLowerCase(Locale.ROOT);
  }
}
