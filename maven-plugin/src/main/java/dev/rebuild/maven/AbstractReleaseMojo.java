package dev.rebuild.maven;

import dev.rebuild.core.pipeline.RebuildResult;
import dev.rebuild.core.pipeline.ReleaseOptions;
import dev.rebuild.core.provenance.Signer;
import dev.rebuild.core.release.ReleaseManifest;
import dev.rebuild.core.release.ReleaseNames;
import dev.rebuild.core.stage.ImageStage;
import dev.rebuild.core.stage.ProvenanceStage;
import dev.rebuild.core.stage.VerificationSettings;
import dev.rebuild.core.stage.VerifyStage;
import dev.rebuild.core.vuln.FailOn;
import java.util.ArrayList;
import java.util.List;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * What {@code rebuild:release} and {@code rebuild:merge} share after the binaries exist: the
 * verification, the images, and whether to publish.
 */
abstract class AbstractReleaseMojo extends AbstractRebuildMojo {

  /**
   * Container images of the release to rebuild with the new binaries; see the README. The build
   * writes each as an OCI image layout under {@code <tag>/images/}, the publish phase pushes it.
   * Without it, no image is touched.
   *
   * @since 0.1.0
   */
  @Parameter List<Image> images;

  /**
   * Stop after the commit: push nothing, and leave each rebuilt image as an OCI image layout under
   * {@code <outputDirectory>/<tag>/images/<repository>/}, for {@code rebuild:publish} to push later
   * (another Jenkins stage, or a re-run of a failed publish).
   *
   * @since 0.1.0
   */
  @Parameter(property = "rebuild.skipPublish", defaultValue = "false")
  boolean skipPublish;

  /**
   * The Go vulnerability database: {@code https://vuln.go.dev}, another server in its layout, a
   * directory ({@code /path} or {@code file:///path}) or a {@code vulndb.zip}.
   *
   * @since 0.1.0
   */
  @Parameter(property = "rebuild.vulndb", defaultValue = "https://vuln.go.dev")
  String vulndb;

  /**
   * Which vulnerabilities left in the rebuild fail it: {@code fixable} (one a released version
   * fixes), {@code any}, or {@code none} (report only; an unreachable database is then a warning).
   *
   * @since 0.1.0
   */
  @Parameter(property = "rebuild.failOn", defaultValue = "fixable")
  String failOn;

  /**
   * The rebuild label: names new GitHub releases, Maven versions and the labelled checksums,
   * manifest and report files; placeholders {@code {project}}, {@code {tag}}, {@code {version}},
   * {@code {goVersion}}. Recorded in the manifest, so that {@code rebuild:publish} uses the label
   * the build had. The default {@code v1.3.0-go1.22.12} is a semver pre-release of the original
   * version: see the README, Publishing, for why.
   *
   * @since 0.3.0
   */
  @Parameter(property = "rebuild.label", defaultValue = ReleaseNames.DEFAULT_LABEL)
  String label;

  @Override
  String labelTemplate() throws MojoFailureException {
    String labelTemplate = cli("rebuild.label", label);
    try {
      ReleaseNames.checkLabelTemplate(labelTemplate);
    } catch (IllegalArgumentException e) {
      throw new MojoFailureException("Bad <label> / -Drebuild.label: " + e.getMessage());
    }
    return labelTemplate;
  }

  /**
   * A PEM private key (ECDSA P-256, RSA or Ed25519; PKCS#8, SEC1 or PKCS#1, unencrypted) that signs
   * the provenance and VEX as DSSE envelopes, for {@code cosign verify-blob-attestation --key}.
   * Relative to the directory Maven runs in. Unset (and no {@code signingKeyServer}): the documents
   * are written unsigned, and the log says so.
   *
   * @since 0.3.0
   */
  @Parameter(property = "rebuild.signingKey")
  String signingKey;

  /**
   * The id of the {@code settings.xml} {@code <server>} holding the signing key instead: its {@code
   * <privateKey>} is the path of the PEM file, or its {@code <password>} (which Maven can encrypt)
   * the PEM text itself.
   *
   * @since 0.3.0
   */
  @Parameter(property = "rebuild.signingKeyServer")
  String signingKeyServer;

  /**
   * This plugin's version, recorded as the builder's in the provenance and as the tool in the
   * SBOMs; not a setting.
   *
   * @since 0.3.0
   */
  @Parameter(defaultValue = "${plugin.version}", readonly = true)
  String pluginVersion;

  ReleaseOptions options() throws MojoFailureException {
    ImageStage.Registries access = registries();
    String labelTemplate = labelTemplate();
    boolean skip = Boolean.parseBoolean(cli("rebuild.skipPublish", Boolean.toString(skipPublish)));
    return new ReleaseOptions(
            verification(),
            new ImageStage(imageTemplates(), access).withTool(pluginVersion),
            access,
            skip,
            labelTemplate,
            skip ? List.of() : destinations())
        .withProvenance(provenance(labelTemplate));
  }

  /** Provenance and VEX, signed when a key is given; a CycloneDX SBOM next to each artifact. */
  ProvenanceStage provenance(String labelTemplate) throws MojoFailureException {
    Signer signer =
        SigningKey.load(
            baseDirectory(),
            cli("rebuild.signingKey", signingKey),
            cli("rebuild.signingKeyServer", signingKeyServer),
            mavenSettings,
            settingsDecrypter);
    return new ProvenanceStage(signer, pluginVersion, labelTemplate)
        .withDocument(ProvenanceStage.sbom(pluginVersion));
  }

  /** Checks on the rebuilt binaries (build info, original release, vulnerabilities). */
  VerifyStage verification() throws MojoFailureException {
    FailOn gate = failOn(failOn);
    String orig = originalLocation();
    String db = cli("rebuild.vulndb", vulndb);
    if (db != null && !db.contains("://") && !db.isBlank()) {
      db = baseDirectory().resolve(db).normalize().toString();
    }
    String origGo = cli("rebuild.originalGo", originalGo);
    VerificationSettings settings = new VerificationSettings(orig, origGo, db, gate);
    return new VerifyStage(settings, originalRelease(orig));
  }

  /** The configured images, parsed; a bad one fails naming its element. */
  List<ImageStage.ImageTemplate> imageTemplates() throws MojoFailureException {
    List<ImageStage.ImageTemplate> templates = new ArrayList<>();
    if (images == null) {
      return templates;
    }
    for (int i = 0; i < images.size(); i++) {
      Image image = images.get(i);
      List<String> allTags = new ArrayList<>();
      if (image.tag != null && !image.tag.isBlank()) {
        allTags.add(image.tag);
      }
      if (image.tags != null) {
        if (allTags.isEmpty() && !image.tags.isEmpty()) {
          allTags.add(ImageStage.DEFAULT_TAG);
        }
        allTags.addAll(image.tags);
      }
      try {
        templates.add(
            ImageStage.ImageTemplate.parse(
                image.original, image.name, allTags, image.strategy, image.base, image.platforms));
      } catch (ImageStage.InvalidImage e) {
        throw new MojoFailureException(
            "Bad <images><image><"
                + e.field()
                + "> (image "
                + (i + 1)
                + (image.original == null ? "" : ", original " + image.original)
                + "): "
                + e.getMessage()
                + "\nEach <image> needs <original> and <name>; see the README, Container images.");
      }
    }
    return templates;
  }

  /** The closing lines every release-like goal prints. */
  void report(RebuildResult result) {
    ReleaseManifest m = result.manifest();
    getLog()
        .info(
            "[rebuild] Rebuilt "
                + m.tag()
                + " ("
                + m.commit()
                + ") with "
                + m.go().version()
                + ": "
                + m.artifacts().size()
                + " artifacts in "
                + result.dist());
    for (ReleaseManifest.Artifact a : m.artifacts()) {
      getLog().info("[rebuild]   " + a.sha256() + "  " + a.name());
    }
    for (ReleaseManifest.Attachment a : m.attachments()) {
      getLog()
          .info(
              "[rebuild]   "
                  + a.sha256()
                  + "  "
                  + a.path()
                  + " ("
                  + a.kind()
                  + (a.signed() ? ", signed" : "")
                  + ")");
    }
    getLog().info("[rebuild] Checksums: " + result.checksums());
    getLog().info("[rebuild] Manifest:  " + result.manifestFile());
    PublishMojo.reportPublished(getLog(), result);
  }
}
