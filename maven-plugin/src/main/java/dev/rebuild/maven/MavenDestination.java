package dev.rebuild.maven;

import dev.rebuild.core.RebuildException;
import dev.rebuild.core.Redaction;
import dev.rebuild.core.io.FileTrees;
import dev.rebuild.core.model.Digest;
import dev.rebuild.core.publish.Destination;
import dev.rebuild.core.publish.PublishRecord;
import dev.rebuild.core.publish.PublishedRelease;
import dev.rebuild.core.publish.PublishedRelease.ReleaseFile;
import dev.rebuild.core.release.ReleaseListener;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.eclipse.aether.DefaultRepositoryCache;
import org.eclipse.aether.DefaultRepositorySystemSession;
import org.eclipse.aether.RepositorySystem;
import org.eclipse.aether.RepositorySystemSession;
import org.eclipse.aether.artifact.Artifact;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.eclipse.aether.deployment.DeployRequest;
import org.eclipse.aether.deployment.DeploymentException;
import org.eclipse.aether.repository.LocalRepository;
import org.eclipse.aether.repository.RemoteRepository;
import org.eclipse.aether.repository.RepositoryPolicy;
import org.eclipse.aether.resolution.ArtifactRequest;
import org.eclipse.aether.resolution.ArtifactResolutionException;
import org.eclipse.aether.resolution.ArtifactResult;
import org.eclipse.aether.transfer.ArtifactNotFoundException;

/**
 * A Maven repository, written through the running Maven's own deployment machinery (Maven
 * Resolver's {@code RepositorySystem.deploy} with the build's session), so that the {@code
 * settings.xml} {@code <server>} whose id is the repository's id, its encrypted password, and the
 * proxies apply as they do for {@code maven-deploy-plugin}.
 *
 * <p>Each file becomes an artifact of {@code groupId:artifactId:version}, the version being the
 * rebuild label without its leading {@code v}: an archive with the classifier {@code {os}-{arch}}
 * and the archive format as extension ({@code nsq-1.3.0-go1.22.12-linux-amd64.tar.gz}); the
 * checksums as {@code sha256sums.txt}, the manifest as {@code rebuild-manifest.json}, the report as
 * {@code verification-report.md} (classifier, extension); a bare binary with its own name as
 * classifier; a generated POM ({@code packaging pom}) last, so a version with its POM is complete.
 *
 * <p>Release repositories take a version once: every artifact is looked up first (resolved into a
 * throw-away local repository and compared by sha256), an artifact with the same bytes is skipped,
 * and one with other bytes stops the run before anything is deployed. Runs on the Resolver of Maven
 * 3.8.7 (1.6) and 3.9 (1.9): only API both have is used.
 */
public final class MavenDestination implements Destination {

  /** Record item kind of a deployed artifact. */
  public static final String ITEM_KIND = "maven-artifact";

  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_.-]+");
  private static final String PARAMETER = "publish.maven.repository";

  private final RepositorySystem system;
  private final RepositorySystemSession session;
  private final RemoteRepository repository;
  private final String groupId;
  private final String artifactId;

  /**
   * @param system the running Maven's repository system (a {@code @Component} of the mojo)
   * @param session the build's repository session ({@code MavenSession.getRepositorySession()})
   * @param repository {@code id::url} ({@code -Drebuild.deployRepository} or {@code <repository>});
   *     the id names the {@code settings.xml} server holding the credentials
   * @param groupId required
   * @param artifactId null for the manifest's project name
   * @throws RebuildException (bad input) for a missing or malformed repository or groupId
   */
  public MavenDestination(
      RepositorySystem system,
      RepositorySystemSession session,
      String repository,
      String groupId,
      String artifactId)
      throws RebuildException {
    this.system = system;
    this.session = session;
    this.repository = repository(session, repository);
    if (groupId == null || !ID.matcher(groupId.strip()).matches()) {
      throw RebuildException.badInput(
          "publish.maven.groupId",
          "the Maven destination needs a groupId of letters, digits, '.', '_' and '-' (got '"
              + groupId
              + "'): set <publish><maven><groupId>io.nsq</groupId></maven></publish>");
    }
    if (artifactId != null && !artifactId.isBlank() && !ID.matcher(artifactId.strip()).matches()) {
      throw RebuildException.badInput(
          "publish.maven.artifactId",
          "the artifactId '"
              + artifactId
              + "' may hold only letters, digits, '.', '_' and '-'; fix <artifactId>");
    }
    this.groupId = groupId.strip();
    this.artifactId = artifactId == null || artifactId.isBlank() ? null : artifactId.strip();
  }

  /**
   * The deployment repository of {@code id::url} (also {@code id::default::url}, maven-deploy-
   * plugin's older form), with the session's authentication and proxy for it.
   */
  static RemoteRepository repository(RepositorySystemSession session, String spec)
      throws RebuildException {
    if (spec == null || spec.isBlank()) {
      throw RebuildException.badInput(
          PARAMETER,
          "no repository for the Maven destination: give -Drebuild.deployRepository=id::url or"
              + " <publish><maven><repository>id::url</repository></maven></publish>; the id"
              + " names the settings.xml <server> with the credentials");
    }
    String[] parts = spec.strip().split("::", -1);
    if (parts.length == 3 && parts[1].equals("default")) {
      parts = new String[] {parts[0], parts[2]};
    }
    if (parts.length != 2
        || !ID.matcher(parts[0]).matches()
        || !parts[1].matches("(?i)(https?|file):.+")) {
      throw RebuildException.badInput(
          PARAMETER,
          "the Maven repository must be given as id::url (e.g."
              + " releases::https://repo.example.com/releases), got '"
              + Redaction.redact(spec)
              + "'");
    }
    if (parts[1].matches("(?i)https?://[^/]*@.*")) {
      throw RebuildException.badInput(
          PARAMETER,
          "the Maven repository URL carries credentials; remove them and put them in the"
              + " settings.xml <server> with id "
              + parts[0]);
    }
    RemoteRepository bare =
        new RemoteRepository.Builder(parts[0], "default", parts[1])
            .setPolicy(
                new RepositoryPolicy(
                    true,
                    RepositoryPolicy.UPDATE_POLICY_ALWAYS,
                    RepositoryPolicy.CHECKSUM_POLICY_IGNORE))
            .setSnapshotPolicy(new RepositoryPolicy(false, null, null))
            .build();
    return new RemoteRepository.Builder(bare)
        .setAuthentication(session.getAuthenticationSelector().getAuthentication(bare))
        .setProxy(session.getProxySelector().getProxy(bare))
        .build();
  }

  @Override
  public String kind() {
    return "maven";
  }

  /**
   * {@code maven:<url>#<groupId>[:<artifactId>]}: the repository by its URL, so that two
   * repositories behind one settings.xml server keep records of their own.
   */
  @Override
  public String id() {
    return "maven:"
        + Redaction.redact(repository.getUrl())
        + "#"
        + groupId
        + (artifactId == null ? "" : ":" + artifactId);
  }

  /** One file as the artifact it is deployed as. */
  record Planned(Artifact artifact, String sha256, String shown) {}

  /** The artifacts of a release, the POM last. */
  List<Planned> plan(PublishedRelease release, Path pomDir) throws RebuildException {
    String aid = artifactId(release);
    String version = version(release.label());
    List<Planned> out = new ArrayList<>();
    Map<String, String> taken = new HashMap<>();
    for (ReleaseFile f : release.files()) {
      String[] ce = classifierAndExtension(f);
      String key = ce[0] + "." + ce[1];
      String before = taken.putIfAbsent(key, f.name());
      if (before != null) {
        throw RebuildException.badInput(
            "publish.maven",
            before
                + " and "
                + f.name()
                + " would both be deployed as classifier '"
                + ce[0]
                + "', extension '"
                + ce[1]
                + "'; publish them to a plain HTTP or GitHub destination instead");
      }
      Artifact a =
          new DefaultArtifact(groupId, aid, ce[0], ce[1], version).setFile(f.path().toFile());
      out.add(new Planned(a, f.sha256(), f.name()));
    }
    byte[] pom = pom(aid, version, release);
    Path pomFile = pomDir.resolve(aid + "-" + version + ".pom");
    try {
      Files.write(pomFile, pom);
    } catch (IOException e) {
      throw RebuildException.tool("cannot write the POM to deploy to " + pomFile, e);
    }
    out.add(
        new Planned(
            new DefaultArtifact(groupId, aid, "", "pom", version).setFile(pomFile.toFile()),
            Digest.of(pom).hex(),
            pomFile.getFileName().toString()));
    return out;
  }

  private String artifactId(PublishedRelease release) throws RebuildException {
    if (artifactId != null) {
      return artifactId;
    }
    String project = release.manifest() == null ? null : release.manifest().project();
    if (project == null || !ID.matcher(project).matches()) {
      throw RebuildException.badInput(
          "publish.maven.artifactId",
          "the project name '"
              + project
              + "' cannot be a Maven artifactId; set <publish><maven><artifactId>");
    }
    return project;
  }

  /**
   * The label without its leading {@code v}: {@code v1.3.0-go1.22.12} is {@code 1.3.0-go1.22.12}.
   */
  static String version(String label) throws RebuildException {
    String v = label.startsWith("v") ? label.substring(1) : label;
    if (!ID.matcher(v).matches() || v.endsWith("-SNAPSHOT")) {
      throw RebuildException.badInput(
          "label",
          "the rebuild label '"
              + label
              + "' makes no Maven release version (letters, digits, '.', '_' and '-', not a"
              + " SNAPSHOT); choose another label");
    }
    return v;
  }

  /** Where a file goes: classifier and extension. */
  static String[] classifierAndExtension(ReleaseFile f) {
    String name = f.name();
    return switch (f.role()) {
      case ARCHIVE -> {
        String ext = f.format() != null ? f.format() : name.substring(name.indexOf('.', 0) + 1);
        yield new String[] {safe(f.platform() != null ? f.platform() : stem(name, ext)), ext};
      }
      case BINARY ->
          name.toLowerCase(Locale.ROOT).endsWith(".exe")
              ? new String[] {safe(name.substring(0, name.length() - 4)), "exe"}
              : new String[] {safe(name), "bin"};
      case CHECKSUMS -> new String[] {"sha256sums", "txt"};
      case MANIFEST -> new String[] {"rebuild-manifest", "json"};
      case REPORT -> new String[] {"verification-report", extension(name, "md")};
      case ATTACHMENT -> {
        String ext = extension(name, "bin");
        yield new String[] {safe(stem(name, ext)), ext};
      }
    };
  }

  private static String extension(String name, String otherwise) {
    int dot = name.lastIndexOf('.');
    return dot > 0 && dot < name.length() - 1 ? safe(name.substring(dot + 1)) : otherwise;
  }

  private static String stem(String name, String ext) {
    return name.endsWith("." + ext) ? name.substring(0, name.length() - ext.length() - 1) : name;
  }

  private static String safe(String s) {
    return s.replaceAll("[^A-Za-z0-9._-]", "_");
  }

  /** A minimal POM: the same bytes for the same coordinates, so a re-run finds it equal. */
  byte[] pom(String aid, String version, PublishedRelease release) {
    String what =
        release.manifest() != null && release.manifest().tag() != null
            ? "Security rebuild of " + release.manifest().tag() + " as " + release.label()
            : "Security rebuild " + release.label();
    String text =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<project xmlns=\"http://maven.apache.org/POM/4.0.0\"\n"
            + "    xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"\n"
            + "    xsi:schemaLocation=\"http://maven.apache.org/POM/4.0.0"
            + " https://maven.apache.org/xsd/maven-4.0.0.xsd\">\n"
            + "  <modelVersion>4.0.0</modelVersion>\n"
            + "  <groupId>"
            + groupId
            + "</groupId>\n  <artifactId>"
            + aid
            + "</artifactId>\n  <version>"
            + version
            + "</version>\n  <packaging>pom</packaging>\n  <description>"
            + xml(what)
            + "</description>\n</project>\n";
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static String xml(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  @Override
  public PublishRecord publish(PublishedRelease release, Journal journal, ReleaseListener log)
      throws RebuildException {
    Path work;
    try {
      work = Files.createTempDirectory("rebuild-maven-");
    } catch (IOException e) {
      throw RebuildException.tool("cannot create a temporary directory", e);
    }
    try {
      return publish(release, journal, log, work);
    } finally {
      try {
        FileTrees.deleteTree(work);
      } catch (IOException e) {
        log.debug("maven: cannot delete " + work + ": " + e.getMessage());
      }
    }
  }

  private PublishRecord publish(
      PublishedRelease release, Journal journal, ReleaseListener log, Path work)
      throws RebuildException {
    Path pomDir = work.resolve("pom");
    Path lookups = work.resolve("lookups");
    try {
      Files.createDirectories(pomDir);
      Files.createDirectories(lookups);
    } catch (IOException e) {
      throw RebuildException.tool("cannot create " + work, e);
    }
    List<Planned> plan = plan(release, pomDir);
    DefaultRepositorySystemSession lookup = lookupSession(lookups);
    List<Boolean> present = new ArrayList<>();
    List<String> clashes = new ArrayList<>();
    for (Planned p : plan) {
      Boolean same = compare(lookup, p);
      present.add(same != null);
      if (Boolean.FALSE.equals(same)) {
        clashes.add(p.artifact() + " (for " + p.shown() + ")");
      }
    }
    if (!clashes.isEmpty()) {
      throw RebuildException.badInput(
          PARAMETER,
          "the repository "
              + where()
              + " already holds "
              + String.join(", ", clashes)
              + " with other bytes; a release repository takes a version once, and nothing was"
              + " deployed. Publish this rebuild under another label (a new version), or remove"
              + " that version from the repository if it is a broken deploy of yours.");
    }
    List<PublishRecord.Item> done = new ArrayList<>();
    Optional<PublishRecord> previous = journal.previous();
    int deployed = 0;
    for (int k = 0; k < plan.size(); k++) {
      Planned p = plan.get(k);
      if (present.get(k)) {
        log.info("maven: " + p.artifact() + " is already in " + repository.getId());
        String ref = p.artifact().toString();
        boolean recorded =
            previous.isPresent()
                && previous.get().items().stream().anyMatch(i -> ref.equals(i.reference()));
        if (!recorded && !hasChecksum(lookup, p)) {
          log.info(
              "maven: WARNING: "
                  + p.artifact()
                  + " has no .sha1 in "
                  + repository.getId()
                  + " (a deploy was cut off before its checksum files); Maven warns when it"
                  + " downloads it. To have them, delete version "
                  + p.artifact().getVersion()
                  + " in the repository and publish again.");
        }
      } else {
        deploy(p, done, plan.size());
        deployed++;
        log.info("maven: deployed " + p.artifact() + " to " + repository.getId());
      }
      done.add(
          new PublishRecord.Item(ITEM_KIND, p.artifact().toString(), "sha256:" + p.sha256(), null));
      journal.save(record(release, done));
    }
    if (deployed == 0) {
      log.info("maven: nothing new to deploy to " + where());
    }
    return record(release, done);
  }

  private PublishRecord record(PublishedRelease release, List<PublishRecord.Item> items) {
    return new PublishRecord(PublishRecord.SCHEMA, id(), release.manifestSha256(), items);
  }

  private String where() {
    return repository.getId() + " (" + Redaction.redact(repository.getUrl()) + ")";
  }

  /**
   * A session like the build's (authentication, proxies, transport settings) whose local repository
   * is {@code dir}: a look-up neither finds a stale copy nor leaves one in the user's local
   * repository.
   */
  private DefaultRepositorySystemSession lookupSession(Path dir) {
    DefaultRepositorySystemSession s = new DefaultRepositorySystemSession(session);
    s.setLocalRepositoryManager(
        system.newLocalRepositoryManager(s, new LocalRepository(dir.toFile())));
    s.setWorkspaceReader(null);
    s.setCache(new DefaultRepositoryCache());
    s.setUpdatePolicy(RepositoryPolicy.UPDATE_POLICY_ALWAYS);
    s.setChecksumPolicy(RepositoryPolicy.CHECKSUM_POLICY_IGNORE);
    s.setOffline(false);
    return s;
  }

  /** null: not in the repository; true: there with the same bytes; false: with other bytes. */
  private Boolean compare(RepositorySystemSession lookup, Planned p) throws RebuildException {
    Optional<Path> there = fetch(lookup, p.artifact().getExtension(), p.artifact());
    if (there.isEmpty()) {
      return null;
    }
    try {
      return Digest.of(there.get()).hex().equals(p.sha256());
    } catch (IOException e) {
      throw RebuildException.tool("cannot read the downloaded " + p.artifact(), e);
    }
  }

  /**
   * Whether the repository holds the {@code .sha1} of an artifact: a deploy cut off between an
   * artifact and its checksum files leaves it without.
   */
  private boolean hasChecksum(RepositorySystemSession lookup, Planned p) throws RebuildException {
    return fetch(lookup, p.artifact().getExtension() + ".sha1", p.artifact()).isPresent();
  }

  /** The artifact with {@code extension} downloaded into the look-up repository, if it is there. */
  private Optional<Path> fetch(RepositorySystemSession lookup, String extension, Artifact a)
      throws RebuildException {
    Artifact wanted =
        new DefaultArtifact(
            a.getGroupId(), a.getArtifactId(), a.getClassifier(), extension, a.getVersion());
    try {
      return Optional.of(
          system
              .resolveArtifact(lookup, new ArtifactRequest(wanted, List.of(repository), null))
              .getArtifact()
              .getFile()
              .toPath());
    } catch (ArtifactResolutionException e) {
      ArtifactResult r = e.getResult();
      if (r != null
          && !r.getExceptions().isEmpty()
          && r.getExceptions().stream().allMatch(x -> x instanceof ArtifactNotFoundException)) {
        return Optional.empty();
      }
      throw failure("looking up " + wanted + " in " + where(), e, 0, 0);
    }
  }

  private void deploy(Planned p, List<PublishRecord.Item> done, int total) throws RebuildException {
    try {
      system.deploy(
          session, new DeployRequest().setRepository(repository).addArtifact(p.artifact()));
    } catch (DeploymentException e) {
      throw failure("deploying " + p.artifact() + " to " + where(), e, done.size(), total);
    }
  }

  /** A resolver failure as a message that names the cause and the fix. */
  private RebuildException failure(String what, Exception e, int done, int total) {
    String chain = causes(e);
    String progress =
        total == 0
            ? " Nothing was deployed."
            : " "
                + done
                + " of "
                + total
                + " artifacts are in the repository (listed in the publish record); a re-run"
                + " deploys only the rest.";
    if (chain.matches("(?s).*(\\b401\\b|Unauthorized|Not authorized|Authentication failed).*")) {
      return RebuildException.badInput(
          "publish.maven.repository",
          what
              + " was refused (401): check the username and password of the settings.xml"
              + " <server> with id "
              + repository.getId()
              + "."
              + progress);
    }
    if (chain.matches("(?s).*(\\b403\\b|Forbidden).*")) {
      return RebuildException.badInput(
          "publish.maven.repository",
          what
              + " was refused (403): the user of the settings.xml <server> "
              + repository.getId()
              + " may not write there, or the repository refuses to replace an artifact."
              + progress);
    }
    if (chain.matches("(?s).*(\\b404\\b|Not Found|Could not find artifact).*")) {
      return RebuildException.badInput(
          "publish.maven.repository",
          what
              + " failed: the server has no repository at "
              + Redaction.redact(repository.getUrl())
              + " (404); check the url of the repository "
              + repository.getId()
              + "."
              + progress);
    }
    if (chain.matches("(?s).*(\\b400\\b|\\b409\\b|Bad Request|Conflict).*")) {
      return RebuildException.badInput(
          "publish.maven.repository",
          what
              + " was refused by the repository ("
              + chain
              + "); a release repository does not take a second deploy of a version: publish"
              + " under another label."
              + progress);
    }
    return RebuildException.tool(what + " failed: " + chain + "." + progress, e);
  }

  private static String causes(Throwable e) {
    List<String> out = new ArrayList<>();
    for (Throwable t = e; t != null && out.size() < 6; t = t.getCause()) {
      String m = t.getMessage();
      if (m != null && !m.isBlank() && out.stream().noneMatch(o -> o.contains(m))) {
        out.add(Redaction.redact(m.strip()));
      }
    }
    return String.join(": ", out);
  }
}
