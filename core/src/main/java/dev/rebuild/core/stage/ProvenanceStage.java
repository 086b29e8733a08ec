package dev.rebuild.core.stage;

import dev.rebuild.core.RebuildException;
import dev.rebuild.core.io.FileTrees;
import dev.rebuild.core.model.Digest;
import dev.rebuild.core.model.GoVersion;
import dev.rebuild.core.model.Platform;
import dev.rebuild.core.provenance.Dsse;
import dev.rebuild.core.provenance.InToto;
import dev.rebuild.core.provenance.InToto.ResourceDescriptor;
import dev.rebuild.core.provenance.InToto.Statement;
import dev.rebuild.core.provenance.OpenVex;
import dev.rebuild.core.provenance.Signer;
import dev.rebuild.core.provenance.SlsaProvenance;
import dev.rebuild.core.release.ReleaseListener;
import dev.rebuild.core.release.ReleaseManifest;
import dev.rebuild.core.release.ReleaseManifest.Attachment;
import dev.rebuild.core.release.ReleaseNames;
import dev.rebuild.core.sbom.ArchiveSbom;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The attestation stage of the build phase, after verification and images: writes, for every
 * artifact, its SLSA provenance next to it in {@code dist/} ({@code <artifact>.intoto.jsonl}) and
 * the documents plugged in with {@link #withDocument} (SBOMs); for every image its provenance under
 * {@code attestations/}; and the release's OpenVEX. With a {@link Signer} every in-toto statement
 * is a signed DSSE envelope; without, a bare statement. Returns the manifest's {@code attachments}.
 */
public final class ProvenanceStage {

  /** The committed directory of the images' documents. */
  public static final String ATTESTATIONS = "attestations";

  /** The suffix of an artifact's provenance in {@code dist/}. */
  public static final String PROVENANCE_SUFFIX = ".intoto.jsonl";

  public static final String VEX_SUFFIX = ".openvex.json";

  /**
   * A document written next to each artifact, such as an SBOM ({@code <archive>.cdx.json}).
   *
   * @see #withDocument
   */
  public interface ArtifactDocument {
    /** The manifest's {@code kind}: {@code sbom}. */
    String kind();

    /** Appended to the artifact's name: {@code .cdx.json}. */
    String suffix();

    String mediaType();

    /** The document's bytes for one artifact; deterministic. */
    byte[] write(ArtifactInput in) throws RebuildException;
  }

  /**
   * One artifact as a document writer sees it.
   *
   * @param file the artifact in the staged {@code dist/}
   * @param work scratch space
   */
  public record ArtifactInput(
      ReleaseManifest manifest, ReleaseManifest.Artifact artifact, Path file, Path work) {}

  /**
   * What the stage reads.
   *
   * @param manifest the manifest with the verification and images sections
   * @param requestedGo the Go as the user asked for it ({@code 1.22}, {@code latest})
   * @param staging the staging directory: {@code dist/}, reports, images
   */
  public record Input(
      ReleaseManifest manifest,
      String requestedGo,
      Path staging,
      Path work,
      ReleaseListener listener) {}

  private final Signer signer;
  private final String builderVersion;
  private final String labelTemplate;
  private final List<ArtifactDocument> documents;

  /**
   * @param signer signs every statement; null writes them unsigned
   * @param builderVersion this plugin's version, recorded as the builder's
   * @param labelTemplate the rebuild label, named in the VEX ({@link ReleaseNames#DEFAULT_LABEL})
   */
  public ProvenanceStage(Signer signer, String builderVersion, String labelTemplate) {
    this(signer, builderVersion, labelTemplate, List.of());
  }

  private ProvenanceStage(
      Signer signer,
      String builderVersion,
      String labelTemplate,
      List<ArtifactDocument> documents) {
    this.signer = signer;
    this.builderVersion = builderVersion == null ? "unknown" : builderVersion;
    this.labelTemplate = labelTemplate == null ? ReleaseNames.DEFAULT_LABEL : labelTemplate;
    this.documents = List.copyOf(documents);
  }

  /** Unsigned provenance and VEX, the default label. */
  public static ProvenanceStage unsigned(String builderVersion) {
    return new ProvenanceStage(null, builderVersion, ReleaseNames.DEFAULT_LABEL);
  }

  /**
   * The CycloneDX SBOM of each artifact, {@code <artifact>.cdx.json}: its Go binaries read from the
   * archive as the manifest records them.
   *
   * @param tool this program's version, named in the SBOM's {@code metadata.tools}
   */
  public static ArtifactDocument sbom(String tool) {
    return new ArchiveSbom(tool);
  }

  /** This stage also writing {@code document} next to every artifact. */
  public ProvenanceStage withDocument(ArtifactDocument document) {
    List<ArtifactDocument> d = new ArrayList<>(documents);
    d.add(document);
    return new ProvenanceStage(signer, builderVersion, labelTemplate, d);
  }

  public boolean signs() {
    return signer != null;
  }

  /** Writes every document into the staging directory and returns what it wrote. */
  public List<Attachment> run(Input in) throws RebuildException {
    ReleaseManifest m = in.manifest();
    Path staging = in.staging();
    Path dist = staging.resolve("dist");
    if (signer == null) {
      in.listener()
          .info(
              "provenance and VEX are unsigned: no rebuild.signingKey given (cosign cannot verify"
                  + " them; their digests are in "
                  + "SHA256SUMS)");
    } else {
      in.listener().info("signing provenance and VEX with the " + signer.describe());
    }
    List<ResourceDescriptor> byproducts = byproducts(staging);
    List<Attachment> out = new ArrayList<>();
    List<Platform> targets = m.recipe().targets().stream().map(Platform::parse).toList();
    for (ReleaseManifest.Artifact a : m.artifacts()) {
      Platform target =
          targets.stream()
              .filter(p -> p.os().equals(a.os()) && p.archLabel().equals(a.arch()))
              .findFirst()
              .orElse(null);
      List<ResourceDescriptor> subjects = new ArrayList<>();
      subjects.add(ResourceDescriptor.of(a.name(), "sha256", a.sha256()));
      if (a.binaries() != null && "archive".equals(a.kind())) {
        for (ReleaseManifest.Binary b : a.binaries()) {
          subjects.add(ResourceDescriptor.of(a.name() + "!" + b.path(), "sha256", b.sha256()));
        }
      }
      Statement st =
          Statement.of(
              subjects,
              SlsaProvenance.PREDICATE_TYPE,
              SlsaProvenance.predicate(
                  m, in.requestedGo(), a.name(), target, builderVersion, byproducts));
      out.add(
          write(
              staging,
              "dist/" + a.name() + PROVENANCE_SUFFIX,
              "provenance",
              jsonLine(st),
              List.of(a.name()),
              null,
              null));
      for (ArtifactDocument d : documents) {
        byte[] bytes = d.write(new ArtifactInput(m, a, dist.resolve(a.name()), in.work()));
        out.add(
            write(
                staging,
                "dist/" + a.name() + d.suffix(),
                d.kind(),
                new Doc(bytes, d.mediaType(), false),
                List.of(a.name()),
                null,
                null));
      }
    }
    for (ReleaseManifest.Image image : m.images()) {
      List<ResourceDescriptor> subjects = new ArrayList<>();
      String repo = repository(image.reference());
      subjects.add(ResourceDescriptor.of(repo, "sha256", hex(image.digest())));
      for (ReleaseManifest.ImagePlatform p : image.platforms()) {
        if (!p.digest().equals(image.digest())) {
          subjects.add(ResourceDescriptor.of(repo + "#" + p.platform(), "sha256", hex(p.digest())));
        }
      }
      Statement st =
          Statement.of(
              subjects,
              SlsaProvenance.PREDICATE_TYPE,
              imagePredicate(m, in.requestedGo(), image, byproducts));
      String dir = ATTESTATIONS + "/" + image.layout();
      out.add(
          write(
              staging,
              dir + "/provenance" + PROVENANCE_SUFFIX,
              "provenance",
              jsonLine(st),
              List.of(),
              image.reference(),
              image.digest()));
    }
    out.addAll(vex(in, m));
    return out;
  }

  /** An image's predicate: the release's, and the original image it was rebuilt from. */
  private SlsaProvenance.Predicate imagePredicate(
      ReleaseManifest m,
      String requestedGo,
      ReleaseManifest.Image image,
      List<ResourceDescriptor> byproducts) {
    SlsaProvenance.Predicate p =
        SlsaProvenance.predicate(m, requestedGo, null, null, builderVersion, byproducts);
    if (image.originalDigest() == null) {
      return p;
    }
    ResourceDescriptor original =
        ResourceDescriptor.of(
            SlsaProvenance.ORIGINAL_PREFIX + image.original(),
            "sha256",
            hex(image.originalDigest()));
    String repo = repository(image.original());
    return p.withDependency(
        repo.equals(image.original()) ? original : original.withUri("oci://" + repo));
  }

  private List<Attachment> vex(Input in, ReleaseManifest m) throws RebuildException {
    ReleaseNames names =
        new ReleaseNames(m.project(), m.tag(), GoVersion.parse(m.go().version()).number());
    String label = names.label(labelTemplate);
    Optional<OpenVex.Document> doc = OpenVex.of(m, label, builderVersion);
    if (doc.isEmpty()) {
      in.listener()
          .info(
              m.verification() == null
                  ? "no VEX: the release was not verified"
                  : "no VEX: the verification found no vulnerability the rebuild fixed");
      return List.of();
    }
    List<Attachment> out = new ArrayList<>();
    String file = m.project() + "-" + label + VEX_SUFFIX;
    byte[] json = pretty(doc.get());
    List<String> describes = m.artifacts().stream().map(ReleaseManifest.Artifact::name).toList();
    out.add(
        write(
            in.staging(),
            "dist/" + file,
            "vex",
            new Doc(json, OpenVex.MEDIA_TYPE, false),
            describes,
            null,
            null));
    if (signer != null) {
      List<ResourceDescriptor> subjects = new ArrayList<>();
      m.artifacts()
          .forEach(a -> subjects.add(ResourceDescriptor.of(a.name(), "sha256", a.sha256())));
      for (ReleaseManifest.Image image : m.images()) {
        subjects.add(
            ResourceDescriptor.of(repository(image.reference()), "sha256", hex(image.digest())));
      }
      Statement st = Statement.of(subjects, OpenVex.PREDICATE_TYPE, doc.get());
      out.add(
          write(
              in.staging(),
              "dist/" + file + PROVENANCE_SUFFIX,
              "vex",
              jsonLine(st),
              describes,
              null,
              null));
    }
    // A rebuilt image the VEX speaks of gets it as a referrer too.
    for (ReleaseManifest.Image image : m.images()) {
      String hex = hex(image.digest());
      boolean named =
          doc.get().statements().stream()
              .flatMap(st -> st.products().stream())
              .anyMatch(p -> hex.equals(p.hashes().get("sha-256")));
      if (!named) {
        continue;
      }
      String dir = ATTESTATIONS + "/" + image.layout() + "/";
      out.add(
          write(
              in.staging(),
              dir + "openvex.json",
              "vex",
              new Doc(json, OpenVex.MEDIA_TYPE, false),
              List.of(),
              image.reference(),
              image.digest()));
      if (signer != null) {
        Statement st =
            Statement.of(
                List.of(ResourceDescriptor.of(repository(image.reference()), "sha256", hex)),
                OpenVex.PREDICATE_TYPE,
                doc.get());
        out.add(
            write(
                in.staging(),
                dir + "openvex" + PROVENANCE_SUFFIX,
                "vex",
                jsonLine(st),
                List.of(),
                image.reference(),
                image.digest()));
      }
    }
    return out;
  }

  /** A document's bytes and how they are typed. */
  private record Doc(byte[] bytes, String mediaType, boolean signed) {}

  /** A statement as one line: a signed DSSE envelope, or the bare statement. */
  private Doc jsonLine(Statement st) throws RebuildException {
    byte[] body = InToto.compact(st);
    if (signer == null) {
      return new Doc(line(body), InToto.PAYLOAD_TYPE, false);
    }
    try {
      return new Doc(
          line(InToto.compact(Dsse.sign(InToto.PAYLOAD_TYPE, body, signer))),
          InToto.DSSE_MEDIA_TYPE,
          true);
    } catch (GeneralSecurityException e) {
      throw RebuildException.badInput(
          "signingKey",
          "cannot sign with the "
              + signer.describe()
              + ": "
              + e.getMessage()
              + "\nGive rebuild.signingKey an ECDSA P-256, RSA or Ed25519 private key.");
    }
  }

  private static byte[] line(byte[] json) {
    byte[] out = Arrays.copyOf(json, json.length + 1);
    out[json.length] = '\n';
    return out;
  }

  /** Pretty JSON as the manifest is written: sorted map keys, indented, a final newline. */
  private static byte[] pretty(Object value) {
    try {
      return line(ReleaseManifest.mapper().writeValueAsBytes(value));
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialise the VEX document", e);
    }
  }

  private static Attachment write(
      Path staging,
      String path,
      String kind,
      Doc doc,
      List<String> describes,
      String image,
      String subject)
      throws RebuildException {
    Path file = staging.resolve(path);
    try {
      Files.createDirectories(file.getParent());
      FileTrees.writeAtomically(file, doc.bytes());
    } catch (IOException e) {
      throw RebuildException.tool("cannot write " + file + ": " + e.getMessage(), e);
    }
    return new Attachment(
        path,
        kind,
        doc.mediaType(),
        describes,
        image,
        subject,
        doc.signed(),
        doc.bytes().length,
        Digest.of(doc.bytes()).hex());
  }

  /** The verification reports by digest: the provenance's byproducts. */
  private static List<ResourceDescriptor> byproducts(Path staging) throws RebuildException {
    List<ResourceDescriptor> out = new ArrayList<>();
    for (String[] r :
        List.of(
            new String[] {VerifyStage.REPORT, "text/markdown"},
            new String[] {
              VerifyStage.REPORT_DIRECTORY + "/verify-report.json", "application/json"
            })) {
      Path f = staging.resolve(r[0]);
      if (Files.isRegularFile(f)) {
        try {
          out.add(ResourceDescriptor.of(r[0], "sha256", Digest.of(f).hex()).withMediaType(r[1]));
        } catch (IOException e) {
          throw RebuildException.tool("cannot read " + f + ": " + e.getMessage(), e);
        }
      }
    }
    return out;
  }

  private static String hex(String digest) {
    return digest.replaceFirst("^sha256:", "");
  }

  private static String repository(String reference) {
    return OpenVex.repository(reference);
  }
}
