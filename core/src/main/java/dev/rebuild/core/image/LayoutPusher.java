package dev.rebuild.core.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rebuild.core.image.ImageListener.Pushed;
import dev.rebuild.core.io.FileTrees;
import dev.rebuild.core.model.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Pushes an image from an OCI image layout to a registry.
 *
 * <p>The layout is usually written by {@link ImageRebuilder#build} in an earlier phase, maybe by
 * another process or before a crash, so it is read and verified completely (every blob against its
 * descriptor) before anything is sent: a changed layout must not become a published image.
 *
 * <p>Push order is blobs, platform manifests (by digest), index (by digest), the documents attached
 * to the image ({@link Referrers}: OCI referrers, listed through the registry's referrers API or
 * the fallback tag {@code sha256-<hex>}), and the tags last, so that a failure leaves no tag
 * pointing at a partial image, nor at one whose SBOM and provenance are not there yet. What the
 * registry already has is not sent again, so a re-run after a failure or of a finished push is
 * cheap.
 */
public final class LayoutPusher {

  /** Index, manifest and index.json files are read whole; anything larger is no honest one. */
  static final int MAX_JSON_BYTES = 4 * 1024 * 1024;

  private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");
  private static final String CHANGED =
      "the OCI layout was changed after it was written; rebuild it";
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * How to push.
   *
   * @param credentials registry credentials
   * @param insecureRegistries registries ({@code host:port}) spoken to over plain HTTP
   * @param moveTags tags that may be moved although they already point at another image
   * @param mountFrom repositories blobs may be mounted from when they are on the target's registry
   *     (the original image, the rebase base): the registry then copies instead of an upload
   */
  public record PushSettings(
      CredentialSource credentials,
      Set<String> insecureRegistries,
      Set<String> moveTags,
      List<ImageReference> mountFrom) {
    public PushSettings {
      credentials = credentials == null ? CredentialSource.NONE : credentials;
      insecureRegistries = insecureRegistries == null ? Set.of() : Set.copyOf(insecureRegistries);
      moveTags = moveTags == null ? Set.of() : Set.copyOf(moveTags);
      mountFrom = mountFrom == null ? List.of() : List.copyOf(mountFrom);
    }
  }

  /**
   * What a push did.
   *
   * @param reference the main reference, {@code registry/repo:tag}
   * @param digest the digest of the top-level index or manifest
   * @param pushedBlobs blobs uploaded or mounted by this push
   * @param pushedManifests manifests and the index put by this push
   * @param pushedTags tags set or moved by this push
   * @param referrers the documents attached to the image in the layout ({@link Referrers}), by
   *     digest, all of them in the registry now
   * @param referrerTags the fallback tags ({@code sha256-<hex>}) set or changed for a registry
   *     without the referrers API; empty when it has the API or nothing changed
   */
  public record PushResult(
      String reference,
      String digest,
      List<String> pushedBlobs,
      List<String> pushedManifests,
      List<String> pushedTags,
      List<String> referrers,
      List<String> referrerTags) {
    public PushResult {
      pushedBlobs = List.copyOf(pushedBlobs);
      pushedManifests = List.copyOf(pushedManifests);
      pushedTags = List.copyOf(pushedTags);
      referrers = List.copyOf(referrers);
      referrerTags = List.copyOf(referrerTags);
    }

    /** False when the registry already held everything (a re-run). */
    public boolean uploadedAnything() {
      return !pushedBlobs.isEmpty()
          || !pushedManifests.isEmpty()
          || !pushedTags.isEmpty()
          || !referrerTags.isEmpty();
    }
  }

  private record Descriptor(String mediaType, String digest, long size) {}

  private record Blob(String digest, long size, Path file) {}

  private record ManifestBlob(String digest, String mediaType, byte[] bytes) {}

  /** A document attached to the image, its blobs among the image's. */
  private record Referrer(ManifestBlob manifest, String subject, ObjectNode descriptor) {}

  /** A verified image of a layout, in push order. */
  private record Image(
      Map<String, Blob> blobs,
      List<ManifestBlob> manifests,
      ManifestBlob index,
      ManifestBlob top,
      List<Referrer> referrers) {}

  private final RegistryClientFactory registries;
  private final ImageListener listener;

  public LayoutPusher(RegistryClientFactory registries, ImageListener listener) {
    this.registries = registries == null ? RegistryClientFactory.DEFAULT : registries;
    this.listener = listener == null ? ImageListener.NONE : listener;
  }

  /**
   * Pushes the image that {@code refName} (the {@code org.opencontainers.image.ref.name} annotation
   * in the layout's index.json) names in the OCI layout {@code layout} to repository {@code target}
   * (no tag or digest) under {@code tags} (the first is the main tag).
   *
   * @throws ImageException when the layout does not verify or a tag would move (nothing is pushed
   *     then), or when the push fails, naming what was pushed before the failure
   */
  public PushResult push(
      Path layout, String refName, ImageReference target, List<String> tags, PushSettings settings)
      throws ImageException {
    return push(layout, refName, target, tags, settings, null, List.of());
  }

  /**
   * As {@link #push(Path, String, ImageReference, List, PushSettings)}, with the documents attached
   * to the image that the caller recorded when the layout was written: exactly these are pushed,
   * and a layout with others attached, or without one of them, is refused before anything is sent.
   *
   * @param referrers digests of the referrer manifests; null pushes whatever the layout attaches
   * @param documents more documents to attach to the image's digest, kept outside the layout (the
   *     provenance stage's files, checked against the manifest by the caller); pushed as referrers
   *     exactly as {@link Referrers#attach} would have written them
   */
  public PushResult push(
      Path layout,
      String refName,
      ImageReference target,
      List<String> tags,
      PushSettings settings,
      Set<String> referrers,
      List<Referrers.Attachment> documents)
      throws ImageException {
    if (documents.isEmpty()) {
      return push(layout, refName, target, tags, settings, referrers, read(layout, refName));
    }
    Path work;
    try {
      work = Files.createTempDirectory("rebuild-referrers-");
    } catch (IOException e) {
      throw new ImageException("cannot create a temporary directory: " + e.getMessage(), e);
    }
    try {
      Image image = read(layout, refName);
      Map<String, Blob> blobs = new TreeMap<>(image.blobs());
      List<Referrer> all = new ArrayList<>(image.referrers());
      ManifestBlob top = image.top();
      Set<String> expected = referrers == null ? null : new TreeSet<>(referrers);
      for (Referrers.Attachment a : documents) {
        byte[] m = Referrers.manifest(top.digest(), top.mediaType(), top.bytes().length, a);
        String digest = Digest.of(m).toString();
        if (expected != null) {
          expected.add(digest);
        }
        if (all.stream().anyMatch(r -> r.manifest().digest().equals(digest))) {
          continue;
        }
        for (byte[] content : List.of(Referrers.EMPTY, a.content())) {
          Digest d = Digest.of(content);
          Path file = work.resolve(d.hex());
          Files.write(file, content);
          blobs.put(d.toString(), new Blob(d.toString(), content.length, file));
        }
        all.add(
            new Referrer(
                new ManifestBlob(digest, MediaTypes.OCI_MANIFEST, m),
                top.digest(),
                Referrers.descriptor(digest, m.length, a.artifactType(), a.annotations())));
      }
      Image with = new Image(blobs, image.manifests(), image.index(), top, all);
      return push(layout, refName, target, tags, settings, expected, with);
    } catch (IOException e) {
      throw new ImageException("cannot write to " + work + ": " + e.getMessage(), e);
    } finally {
      try {
        FileTrees.deleteTree(work);
      } catch (IOException ignored) {
        // a leftover temporary directory is harmless
      }
    }
  }

  private PushResult push(
      Path layout,
      String refName,
      ImageReference target,
      List<String> tags,
      PushSettings settings,
      Set<String> referrers,
      Image image)
      throws ImageException {
    if (target.tag() != null || target.digest() != null) {
      throw ImageException.badInput(
          "the push target '"
              + target
              + "' must be a repository without tag or digest; give the tags separately");
    }
    if (tags.isEmpty()) {
      throw ImageException.badInput(
          "no tags to push " + target.repositoryName() + " under: give at least one");
    }
    for (String tag : tags) {
      ImageReference.parse(target.repositoryName() + ":" + tag);
    }
    if (referrers != null) {
      Set<String> found = new TreeSet<>();
      image.referrers().forEach(r -> found.add(r.manifest().digest()));
      if (!found.equals(new TreeSet<>(referrers))) {
        Set<String> extra = new TreeSet<>(found);
        extra.removeAll(referrers);
        Set<String> missing = new TreeSet<>(referrers);
        missing.removeAll(found);
        throw ImageException.badInput(
            "the documents attached to "
                + shorten(refName)
                + " in the OCI layout "
                + layout
                + " are not the recorded ones"
                + (extra.isEmpty() ? "" : "; not recorded: " + extra)
                + (missing.isEmpty() ? "" : "; missing: " + missing)
                + ": "
                + CHANGED);
      }
    }
    String topDigest = image.top().digest();
    RegistryClient client =
        registries.open(settings.credentials(), settings.insecureRegistries(), listener::progress);
    String registry = target.registry();
    String repo = target.repository();
    Map<String, Optional<String>> current = new LinkedHashMap<>();
    for (String tag : tags) {
      Optional<String> now = client.headManifest(registry, repo, tag);
      if (now.isPresent() && !now.get().equals(topDigest) && !settings.moveTags().contains(tag)) {
        throw ImageException.badInput(
            "tag "
                + target.withTag(tag)
                + " already points at "
                + now.get()
                + ", not at this rebuild ("
                + topDigest
                + "); nothing was pushed. List "
                + tag
                + " in moveTags to move it, or choose another tag");
      }
      current.put(tag, now);
    }
    Set<String> mountRepos = new LinkedHashSet<>();
    for (ImageReference m : settings.mountFrom()) {
      if (m.registry().equals(registry) && !m.repository().equals(repo)) {
        mountRepos.add(m.repository());
      }
    }
    List<String> pushedBlobs = new ArrayList<>();
    List<String> pushedManifests = new ArrayList<>();
    List<String> pushedTags = new ArrayList<>();
    List<String> referrerTags = new ArrayList<>();
    try {
      for (Blob b : image.blobs().values()) {
        if (client.blobExists(registry, repo, b.digest())) {
          continue;
        }
        boolean mounted = false;
        for (String from : mountRepos) {
          if (client.mountBlob(registry, repo, b.digest(), from)) {
            mounted = true;
            break;
          }
        }
        if (!mounted) {
          client.pushBlob(registry, repo, b.digest(), b.file());
        }
        pushedBlobs.add(b.digest());
        listener.pushed(Pushed.BLOB, b.digest());
      }
      for (ManifestBlob m : image.manifests()) {
        if (client.headManifest(registry, repo, m.digest()).isEmpty()) {
          client.putManifest(registry, repo, m.digest(), m.mediaType(), m.bytes());
          pushedManifests.add(m.digest());
          listener.pushed(Pushed.MANIFEST, m.digest());
        }
      }
      ManifestBlob index = image.index();
      if (index != null && client.headManifest(registry, repo, index.digest()).isEmpty()) {
        client.putManifest(registry, repo, index.digest(), index.mediaType(), index.bytes());
        pushedManifests.add(index.digest());
        listener.pushed(Pushed.INDEX, index.digest());
      }
      pushReferrers(client, registry, repo, image, pushedManifests, referrerTags);
      ManifestBlob top = image.top();
      for (String tag : tags) {
        if (current.get(tag).filter(topDigest::equals).isPresent()) {
          continue;
        }
        client.putManifest(registry, repo, tag, top.mediaType(), top.bytes());
        pushedTags.add(tag);
        listener.pushed(Pushed.TAG, tag);
      }
    } catch (ImageException e) {
      throw new ImageException(
          e.kind(),
          "pushing "
              + target.repositoryName()
              + " failed: "
              + e.getMessage()
              + ". Pushed before the failure: blobs "
              + pushedBlobs
              + ", manifests "
              + pushedManifests
              + "; "
              + (pushedTags.isEmpty()
                  ? "no tag was set, so no tag points at a partial image"
                  : "tags set: " + pushedTags)
              + ". A re-run reuses what was pushed.",
          e);
    }
    PushResult result =
        new PushResult(
            target.withTag(tags.get(0)).toString(),
            topDigest,
            pushedBlobs,
            pushedManifests,
            pushedTags,
            image.referrers().stream().map(r -> r.manifest().digest()).toList(),
            referrerTags);
    listener.progress(
        result.uploadedAnything()
            ? "pushed "
                + result.reference()
                + "@"
                + topDigest
                + " ("
                + pushedBlobs.size()
                + " blobs, "
                + pushedManifests.size()
                + " manifests, tags "
                + pushedTags
                + ")"
            : result.reference()
                + " already is "
                + topDigest
                + " with every blob in place: nothing new to push");
    return result;
  }

  /** Reads the image {@code refName} of the layout and checks every blob it needs. */
  private static Image read(Path layout, String refName) throws ImageException {
    String where = "oci-layout:" + layout + ":" + refName;
    Path indexFile = layout.resolve("index.json");
    if (!Files.isRegularFile(indexFile)) {
      throw ImageException.badInput(
          layout + " is not an OCI image layout (no index.json): write it with the build first");
    }
    JsonNode layoutIndex =
        parse(readJsonFile(indexFile, "the index.json of " + layout), indexFile.toString());
    List<JsonNode> named = new ArrayList<>();
    Set<String> names = new TreeSet<>();
    for (JsonNode d : layoutIndex.path("manifests")) {
      String name = d.path("annotations").path(OciLayoutSource.REF_NAME).asText("");
      if (!name.isEmpty()) {
        names.add(shorten(name));
      }
      if (name.equals(refName)) {
        named.add(d);
      }
    }
    if (named.isEmpty()) {
      throw ImageException.badInput(
          "no image named '"
              + shorten(refName)
              + "' in the OCI layout "
              + layout
              + "; it holds "
              + (names.isEmpty() ? "no named image" : String.join(", ", names)));
    }
    Descriptor topDescriptor =
        descriptor(named.get(0), "the entry '" + refName + "' of " + indexFile);
    for (JsonNode other : named.subList(1, named.size())) {
      Descriptor d = descriptor(other, "the entry '" + refName + "' of " + indexFile);
      if (!d.digest().equals(topDescriptor.digest())) {
        throw ImageException.badInput(
            indexFile
                + " names two images '"
                + shorten(refName)
                + "' ("
                + topDescriptor.digest()
                + " and "
                + d.digest()
                + "): "
                + CHANGED);
      }
    }
    Map<String, Long> verified = new HashMap<>();
    Map<String, Blob> blobs = new TreeMap<>();
    List<ManifestBlob> manifests = new ArrayList<>();
    ManifestBlob top = readManifest(layout, topDescriptor, where);
    ManifestBlob index = null;
    if (MediaTypes.isIndex(top.mediaType())) {
      index = top;
      for (JsonNode child : parse(top.bytes(), "index " + top.digest()).path("manifests")) {
        ManifestBlob m =
            readManifest(
                layout, descriptor(child, "index " + top.digest() + " of " + where), where);
        if (!MediaTypes.isManifest(m.mediaType())) {
          throw ImageException.badInput(
              "index "
                  + top.digest()
                  + " of "
                  + where
                  + " lists "
                  + m.digest()
                  + " of media type '"
                  + shorten(m.mediaType())
                  + "'; only image manifests can be pushed from an index");
        }
        manifests.add(m);
      }
    } else if (MediaTypes.isManifest(top.mediaType())) {
      manifests.add(top);
    } else {
      throw ImageException.badInput(
          where
              + " has media type '"
              + shorten(top.mediaType())
              + "', which is no OCI or Docker v2 image or index");
    }
    for (ManifestBlob m : manifests) {
      JsonNode manifest = parse(m.bytes(), "manifest " + m.digest());
      verifyBlobs(layout, manifest, "manifest " + m.digest() + " of " + where, verified, blobs);
    }
    Set<String> subjects = new TreeSet<>();
    subjects.add(top.digest());
    manifests.forEach(m -> subjects.add(m.digest()));
    List<Referrer> referrers = new ArrayList<>();
    for (JsonNode d : layoutIndex.path("manifests")) {
      if (!d.path("annotations").path(OciLayoutSource.REF_NAME).asText("").isEmpty()) {
        continue;
      }
      ManifestBlob m =
          readManifest(layout, descriptor(d, "an unnamed entry of " + indexFile), where);
      JsonNode manifest = parse(m.bytes(), "manifest " + m.digest());
      String subject = manifest.path("subject").path("digest").asText("");
      if (!subjects.contains(subject) || !MediaTypes.isManifest(m.mediaType())) {
        continue;
      }
      verifyBlobs(
          layout,
          manifest,
          "the document " + m.digest() + " attached to " + subject + " in " + where,
          verified,
          blobs);
      Map<String, String> annotations = new TreeMap<>();
      manifest
          .path("annotations")
          .fields()
          .forEachRemaining(e -> annotations.put(e.getKey(), e.getValue().asText()));
      String artifactType = manifest.path("artifactType").asText("");
      if (artifactType.isEmpty()) {
        artifactType = manifest.path("config").path("mediaType").asText("");
      }
      referrers.add(
          new Referrer(
              m,
              subject,
              Referrers.descriptor(m.digest(), m.bytes().length, artifactType, annotations)));
    }
    return new Image(blobs, manifests, index, top, referrers);
  }

  /**
   * Puts the documents attached to the image and makes them discoverable: a registry with the
   * referrers API lists them by itself (it says so with {@code OCI-Subject}, or its API answers);
   * for one without, the fallback tag {@code sha256-<hex>} of each subject gets an index of them.
   */
  private void pushReferrers(
      RegistryClient client,
      String registry,
      String repo,
      Image image,
      List<String> pushedManifests,
      List<String> referrerTags)
      throws ImageException {
    Map<String, List<Referrer>> bySubject = new TreeMap<>();
    Set<String> confirmed = new TreeSet<>();
    for (Referrer r : image.referrers()) {
      bySubject.computeIfAbsent(r.subject(), k -> new ArrayList<>()).add(r);
      ManifestBlob m = r.manifest();
      if (client.headManifest(registry, repo, m.digest()).isEmpty()) {
        Optional<String> subject =
            client.putManifest(registry, repo, m.digest(), m.mediaType(), m.bytes());
        if (subject.filter(r.subject()::equals).isPresent()) {
          confirmed.add(m.digest());
        }
        pushedManifests.add(m.digest());
        listener.pushed(Pushed.MANIFEST, m.digest());
      }
    }
    for (Map.Entry<String, List<Referrer>> e : bySubject.entrySet()) {
      String subject = e.getKey();
      List<Referrer> rs = e.getValue();
      if (rs.stream().allMatch(r -> confirmed.contains(r.manifest().digest()))) {
        continue;
      }
      Optional<RegistryClient.Manifest> api = client.referrers(registry, repo, subject);
      if (api.isPresent()) {
        Set<String> listed = new TreeSet<>();
        parse(api.get().bytes(), "the referrers of " + subject)
            .path("manifests")
            .forEach(d -> listed.add(d.path("digest").asText("")));
        List<String> missing =
            rs.stream().map(r -> r.manifest().digest()).filter(d -> !listed.contains(d)).toList();
        if (!missing.isEmpty()) {
          throw new ImageException(
              registry
                  + "/"
                  + repo
                  + " has the referrers API but does not list "
                  + missing
                  + " as referrers of "
                  + subject
                  + " after they were pushed");
        }
        continue;
      }
      String tag = Referrers.fallbackTag(subject);
      JsonNode existing = null;
      Optional<RegistryClient.Manifest> old = client.getManifest(registry, repo, tag);
      if (old.isPresent()) {
        if (!MediaTypes.OCI_INDEX.equals(old.get().mediaType())) {
          throw ImageException.badInput(
              "the tag "
                  + registry
                  + "/"
                  + repo
                  + ":"
                  + tag
                  + " is no OCI index ("
                  + shorten(old.get().mediaType())
                  + "), so it cannot list the documents attached to "
                  + subject
                  + "; remove that tag from the registry");
        }
        existing = parse(old.get().bytes(), "the referrers tag " + tag);
      }
      byte[] merged =
          Referrers.mergeIndex(existing, rs.stream().map(Referrer::descriptor).toList());
      if (merged != null) {
        client.putManifest(registry, repo, tag, MediaTypes.OCI_INDEX, merged);
        referrerTags.add(tag);
        listener.progress(
            "listed the documents attached to "
                + subject
                + " under the tag "
                + tag
                + " (the registry has no referrers API)");
      }
    }
  }

  /** Checks the config and layers of {@code manifest} and adds them to {@code blobs}. */
  private static void verifyBlobs(
      Path layout,
      JsonNode manifest,
      String what,
      Map<String, Long> verified,
      Map<String, Blob> blobs)
      throws ImageException {
    List<Descriptor> needed = new ArrayList<>();
    needed.add(descriptor(manifest.path("config"), "the config of " + what));
    for (JsonNode layer : manifest.path("layers")) {
      needed.add(descriptor(layer, "a layer of " + what));
    }
    for (Descriptor d : needed) {
      blobs.put(d.digest(), verifyBlob(layout, d, verified, what));
    }
  }

  private static Descriptor descriptor(JsonNode d, String what) throws ImageException {
    JsonNode digest = d.path("digest");
    if (!digest.isTextual() || !DIGEST.matcher(digest.asText()).matches()) {
      throw ImageException.badInput(
          what
              + " names the digest '"
              + shorten(digest.asText(String.valueOf(digest)))
              + "', which is no sha256:<64 lower-case hex digits>: "
              + CHANGED);
    }
    JsonNode size = d.path("size");
    if (!size.isIntegralNumber() || !size.canConvertToLong() || size.asLong() < 0) {
      throw ImageException.badInput(
          what + " gives no valid size for " + digest.asText() + ": " + CHANGED);
    }
    return new Descriptor(d.path("mediaType").asText(""), digest.asText(), size.asLong());
  }

  /** Reads an index or manifest blob, checked against its descriptor. */
  private static ManifestBlob readManifest(Path layout, Descriptor d, String where)
      throws ImageException {
    Path file = blobFile(layout, d, where);
    if (d.size() > MAX_JSON_BYTES) {
      throw ImageException.badInput(
          "manifest "
              + d.digest()
              + " of "
              + where
              + " is "
              + d.size()
              + " bytes by its descriptor, more than the "
              + MAX_JSON_BYTES
              + " an image manifest or index may have");
    }
    byte[] bytes = readJsonFile(file, "manifest " + d.digest() + " of " + where);
    String actual = Digest.of(bytes).toString();
    if (bytes.length != d.size() || !actual.equals(d.digest())) {
      throw mismatch(d, file, bytes.length, actual, where);
    }
    String type = parse(bytes, "manifest " + d.digest()).path("mediaType").asText("");
    if (type.isEmpty()) {
      type = d.mediaType();
    }
    if (type.isEmpty()) {
      throw ImageException.badInput(
          "manifest " + d.digest() + " of " + where + " has no media type, nor has its descriptor");
    }
    return new ManifestBlob(d.digest(), type, bytes);
  }

  /** Checks a config or layer blob by streaming it through SHA-256; each digest once. */
  private static Blob verifyBlob(
      Path layout, Descriptor d, Map<String, Long> verified, String where) throws ImageException {
    Path file = blobFile(layout, d, where);
    Long known = verified.get(d.digest());
    if (known == null) {
      long size;
      String actual;
      try {
        size = Files.size(file);
        actual = size == d.size() ? Digest.of(file).toString() : null;
      } catch (IOException e) {
        throw new ImageException("cannot read " + file + ": " + e.getMessage(), e);
      }
      if (size != d.size() || !d.digest().equals(actual)) {
        throw mismatch(d, file, size, actual, where);
      }
      verified.put(d.digest(), size);
      known = size;
    }
    if (known != d.size()) {
      throw mismatch(d, file, known, d.digest(), where);
    }
    return new Blob(d.digest(), d.size(), file);
  }

  /** The blob's file; the digest was checked against {@link #DIGEST}, so it stays in the layout. */
  private static Path blobFile(Path layout, Descriptor d, String where) throws ImageException {
    Path file = layout.resolve("blobs").resolve("sha256").resolve(d.digest().substring(7));
    if (!Files.isRegularFile(file)) {
      throw ImageException.badInput(
          "blob " + d.digest() + " of " + where + " is missing: no file " + file + "; " + CHANGED);
    }
    return file;
  }

  private static ImageException mismatch(
      Descriptor d, Path file, long size, String actual, String where) {
    String found =
        size != d.size()
            ? "is " + size + " bytes, its descriptor says " + d.size()
            : "has the digest " + actual;
    return ImageException.badInput(
        "blob "
            + d.digest()
            + " of "
            + where
            + ": the file "
            + file
            + " "
            + found
            + "; "
            + CHANGED);
  }

  /** Reads a JSON file of at most {@link #MAX_JSON_BYTES}. */
  static byte[] readJsonFile(Path file, String what) throws ImageException {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] bytes = in.readNBytes(MAX_JSON_BYTES + 1);
      if (bytes.length > MAX_JSON_BYTES) {
        throw ImageException.badInput(
            what + " (" + file + ") is larger than " + MAX_JSON_BYTES + " bytes: " + CHANGED);
      }
      return bytes;
    } catch (IOException e) {
      throw new ImageException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private static JsonNode parse(byte[] bytes, String what) throws ImageException {
    try {
      JsonNode n = JSON.readTree(bytes);
      if (n == null || !n.isObject()) {
        throw ImageException.badInput(what + " is not a JSON object: " + CHANGED);
      }
      return n;
    } catch (IOException e) {
      throw ImageException.badInput(
          what + " is not valid JSON (" + e.getMessage() + "): " + CHANGED);
    }
  }

  /** Strings from the layout's files end up in messages: keep a tampered one from flooding them. */
  private static String shorten(String s) {
    return s.length() <= 100 ? s : s.substring(0, 100) + "...";
  }
}
