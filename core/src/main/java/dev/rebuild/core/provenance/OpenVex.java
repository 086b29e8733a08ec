package dev.rebuild.core.provenance;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.rebuild.core.image.ImageException;
import dev.rebuild.core.image.ImageReference;
import dev.rebuild.core.model.Platform;
import dev.rebuild.core.release.ReleaseManifest;
import dev.rebuild.core.release.Verification;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The OpenVEX (v0.2.0) document of a rebuild: each vulnerability the verification found in the
 * original and not in the rebuild is {@code fixed} in the rebuilt products and {@code affected} in
 * the original ones. Products are named by purl: {@code pkg:generic/<archive>?checksum=sha256:...}
 * for archives, {@code pkg:oci/<name>@sha256:...} for images. The document's time is the tag's
 * commit time, so the same rebuild gives the same bytes.
 */
public final class OpenVex {

  public static final String CONTEXT = "https://openvex.dev/ns/v0.2.0";

  /** The in-toto predicate type of a VEX document, as {@code vexctl attest} writes it. */
  public static final String PREDICATE_TYPE = CONTEXT;

  public static final String MEDIA_TYPE = "application/openvex+json";

  private OpenVex() {}

  /** The document. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Document(
      @JsonProperty("@context") String context,
      @JsonProperty("@id") String id,
      String author,
      String timestamp,
      int version,
      String tooling,
      List<Statement> statements) {}

  /** One statement. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Statement(
      Vulnerability vulnerability,
      List<Product> products,
      String status,
      @JsonProperty("status_notes") String statusNotes,
      @JsonProperty("action_statement") String actionStatement) {}

  public record Vulnerability(String name) {}

  /** A product: an archive or an image, with the Go binaries in it as subcomponents. */
  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  public record Product(
      @JsonProperty("@id") String id,
      Map<String, String> identifiers,
      Map<String, String> hashes,
      List<Subcomponent> subcomponents) {}

  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  public record Subcomponent(@JsonProperty("@id") String id, Map<String, String> hashes) {}

  /**
   * The VEX of a verified rebuild, or empty when the verification found nothing the rebuild fixed
   * (OpenVEX needs at least one statement) or did not run.
   *
   * @param label the rebuild label, named in the action for the original products
   */
  public static Optional<Document> of(ReleaseManifest m, String label, String builderVersion) {
    Verification v = m.verification();
    if (v == null) {
      return Optional.empty();
    }
    // vulnerability id -> rebuilt artifact names where the rebuild fixed it
    SortedMap<String, SortedSet<String>> fixedIn = new TreeMap<>();
    for (Verification.BinaryReport b : v.binaries()) {
      if (b.vulnerabilities() == null) {
        continue;
      }
      String artifact =
          b.path().contains("!") ? b.path().substring(0, b.path().indexOf('!')) : b.path();
      artifact = artifact.substring(artifact.lastIndexOf('/') + 1);
      for (String id : b.vulnerabilities().fixedByRebuild()) {
        fixedIn.computeIfAbsent(id, k -> new TreeSet<>()).add(artifact);
      }
    }
    if (fixedIn.isEmpty()) {
      return Optional.empty();
    }
    Map<String, ReleaseManifest.Artifact> byName = new TreeMap<>();
    m.artifacts().forEach(a -> byName.put(a.name(), a));
    Map<String, Verification.OriginalArtifact> originalOf = originals(v);
    String go = m.go().version();
    List<Statement> statements = new ArrayList<>();
    for (Map.Entry<String, SortedSet<String>> e : fixedIn.entrySet()) {
      List<Product> rebuilt = new ArrayList<>();
      List<Product> original = new ArrayList<>();
      SortedSet<String> originalGos = new TreeSet<>();
      for (String name : e.getValue()) {
        ReleaseManifest.Artifact a = byName.get(name);
        if (a == null) {
          continue;
        }
        rebuilt.add(archive(m, a.name(), a.sha256(), a.binaries()));
        Verification.OriginalArtifact o = originalOf.get(a.name());
        if (o != null) {
          original.add(archive(m, o.name(), o.sha256(), List.of()));
        }
        for (Verification.BinaryReport b : v.binaries()) {
          if (b.path().startsWith(a.name()) && b.originalGo() != null) {
            originalGos.add(b.originalGo());
          }
        }
      }
      for (ReleaseManifest.Image image : m.images()) {
        if (image.platforms().stream().anyMatch(p -> carries(p, e.getValue(), byName))) {
          rebuilt.add(image(image.reference(), image.digest()));
          if (image.originalDigest() != null) {
            original.add(image(image.original(), image.originalDigest()));
          }
        }
      }
      String built =
          originalGos.isEmpty() ? "" : " (built with " + String.join(", ", originalGos) + ")";
      statements.add(
          new Statement(
              new Vulnerability(e.getKey()),
              rebuilt,
              "fixed",
              "Rebuilt from "
                  + m.tag()
                  + " (commit "
                  + m.commit()
                  + ") with "
                  + go
                  + ", which fixes "
                  + e.getKey()
                  + " that the original release"
                  + built
                  + " has; nothing else changed, as the verification checked.",
              null));
      if (!original.isEmpty()) {
        statements.add(
            new Statement(
                new Vulnerability(e.getKey()),
                original,
                "affected",
                "The original release of " + m.tag() + built + " has " + e.getKey() + ".",
                "Use the security rebuild " + label + ", built with " + go + "."));
      }
    }
    return Optional.of(
        new Document(
            CONTEXT,
            "https://rebuild.dev/vex/" + m.project() + "/" + label,
            "rebuild-maven-plugin",
            m.commitTime(),
            1,
            "rebuild-maven-plugin " + builderVersion,
            statements));
  }

  /** Rebuilt artifact name to the original it was compared with. */
  private static Map<String, Verification.OriginalArtifact> originals(Verification v) {
    Map<String, Verification.OriginalArtifact> out = new TreeMap<>();
    v.originals().forEach(o -> out.putIfAbsent(o.rebuilt(), o));
    return out;
  }

  private static boolean carries(
      ReleaseManifest.ImagePlatform p,
      SortedSet<String> artifacts,
      Map<String, ReleaseManifest.Artifact> byName) {
    // Exactly its platform's binaries went into an image platform (see ImageStage).
    Platform platform = Platform.parse(p.platform());
    for (String name : artifacts) {
      ReleaseManifest.Artifact a = byName.get(name);
      if (a != null && platform.os().equals(a.os()) && platform.archLabel().equals(a.arch())) {
        return true;
      }
    }
    return false;
  }

  /** {@code pkg:generic/<name>@<version>?checksum=sha256:<hex>}. */
  public static String archivePurl(ReleaseManifest m, String name, String sha256) {
    return "pkg:generic/" + encode(name) + "@" + encode(m.version()) + "?checksum=sha256:" + sha256;
  }

  private static Product archive(
      ReleaseManifest m, String name, String sha256, List<ReleaseManifest.Binary> binaries) {
    List<Subcomponent> subs = new ArrayList<>();
    if (binaries != null) {
      for (ReleaseManifest.Binary b : binaries) {
        String main = b.mainPath() == null ? "" : b.mainPath();
        String subpath =
            main.startsWith(m.module() + "/") ? "#" + main.substring(m.module().length() + 1) : "";
        String purl =
            "pkg:golang/"
                + m.module()
                + "@"
                + encode(m.tag())
                + "?goarch="
                + b.goarch()
                + "&goos="
                + b.goos()
                + subpath;
        subs.add(new Subcomponent(purl, Map.of("sha-256", b.sha256())));
      }
    }
    String purl = archivePurl(m, name, sha256);
    return new Product(purl, Map.of("purl", purl), Map.of("sha-256", sha256), subs);
  }

  private static Product image(String reference, String digest) {
    String repo = repository(reference);
    String name = repo.substring(repo.lastIndexOf('/') + 1);
    String purl = "pkg:oci/" + name + "@" + digest.replace(":", "%3A") + "?repository_url=" + repo;
    return new Product(
        purl,
        Map.of("purl", purl),
        Map.of("sha-256", digest.replaceFirst("^sha256:", "")),
        List.of());
  }

  /**
   * {@code registry/repository} of an image reference, without tag or digest; a reference that is
   * no registry's ({@code oci-layout:DIR:REF}) as it is.
   */
  public static String repository(String reference) {
    try {
      return ImageReference.parse(reference).repositoryName();
    } catch (ImageException e) {
      return reference;
    }
  }

  private static String encode(String s) {
    return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8)
        .replace("+", "%20");
  }
}
