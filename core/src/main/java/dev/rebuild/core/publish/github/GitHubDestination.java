package dev.rebuild.core.publish.github;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rebuild.core.RebuildException;
import dev.rebuild.core.io.LimitedInputStream;
import dev.rebuild.core.model.Digest;
import dev.rebuild.core.publish.Destination;
import dev.rebuild.core.publish.PublishRecord;
import dev.rebuild.core.publish.PublishedRelease;
import dev.rebuild.core.publish.PublishedRelease.ReleaseFile;
import dev.rebuild.core.publish.github.GitHubApi.Answer;
import dev.rebuild.core.publish.github.GitHubApi.ApiException;
import dev.rebuild.core.publish.github.GitHubSettings.Mode;
import dev.rebuild.core.release.ReleaseListener;
import dev.rebuild.core.release.ReleaseManifest;
import dev.rebuild.core.release.Verification;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Publishes a committed release to GitHub, as assets of the original tag's release ({@link
 * Mode#ATTACH}) or as a new release for the rebuild label ({@link Mode#RELEASE}) whose tag GitHub
 * creates at the original tag's commit when the release is published. A new release is created as a
 * draft, gets every asset, and only then is published: the one order that works with immutable
 * releases, and a crash leaves a draft nobody sees.
 *
 * <p>An asset is one of ours when its label is its name followed by {@value #MARK}, which every
 * upload sets; only ours are ever deleted or replaced (with {@code replaceAssets}), and a broken
 * upload of one of our names (an asset not in the {@code uploaded} state) is deleted and sent
 * again. An asset with the same name and the same sha256 (GitHub's {@code digest}, else the size
 * and the downloaded bytes) is skipped.
 */
public final class GitHubDestination implements Destination {

  /** What every asset's label ends with: marks the asset as one of ours. */
  public static final String MARK = " (security rebuild)";

  private static final int UPLOAD_ATTEMPTS = 3;
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final GitHubSettings settings;
  private final Clock clock;
  private final GitHubApi.Sleeper sleeper;
  private final Duration maxWait;
  private final Duration backoff;

  /** Waits up to 15 minutes for a rate limit, backs off from 2 s after a failure. */
  public GitHubDestination(GitHubSettings settings) {
    this(
        settings,
        Clock.systemUTC(),
        GitHubApi.Sleeper.REAL,
        Duration.ofMinutes(15),
        Duration.ofSeconds(2));
  }

  /** With the clock and sleeper rate-limit waits go by (tests: recorded, not slept). */
  public GitHubDestination(
      GitHubSettings settings,
      Clock clock,
      GitHubApi.Sleeper sleeper,
      Duration maxWait,
      Duration backoff) {
    this.settings = Objects.requireNonNull(settings);
    this.clock = clock;
    this.sleeper = sleeper;
    this.maxWait = maxWait;
    this.backoff = backoff;
  }

  @Override
  public String kind() {
    return "github";
  }

  @Override
  public String id() {
    return "github:" + settings.repository();
  }

  @Override
  public PublishRecord publish(PublishedRelease release, Journal journal, ReleaseListener log)
      throws RebuildException {
    settings.check();
    if (settings.token() == null || settings.token().isBlank()) {
      throw RebuildException.badInput(
          "publish.github.serverId",
          "no GitHub token for "
              + settings.repository()
              + ": set GITHUB_TOKEN or GH_TOKEN, or add a settings.xml <server> with the id"
              + " github (or the <serverId> of <github>) whose <password> is the token (it may be"
              + " encrypted with mvn --encrypt-password)");
    }
    GitHubApi api =
        new GitHubApi(
            settings.apiUrl(),
            settings.token(),
            clock,
            sleeper,
            maxWait,
            backoff,
            m -> log.info("github: " + m));
    try {
      return new Run(api, release, journal, log).run();
    } catch (ApiException e) {
      throw translate(e);
    }
  }

  private RebuildException translate(ApiException e) {
    int s = e.status();
    if (s == 401) {
      return RebuildException.badInput(
          "publish.github.serverId",
          "GitHub refused the token ("
              + e.getMessage()
              + "): it is wrong or expired. Set a valid token in GITHUB_TOKEN / GH_TOKEN or in the"
              + " settings.xml <server> (id github or <serverId>)");
    }
    if (s == 403) {
      return RebuildException.badInput(
          "publish.github.serverId",
          "GitHub denied the request ("
              + e.getMessage()
              + "): the token needs write access to the contents of "
              + settings.repository()
              + " (classic token: repo or public_repo scope; fine-grained: Contents read and write)");
    }
    return new RebuildException(
        RebuildException.Kind.TOOL,
        "publish.github.apiUrl",
        "GitHub at " + settings.apiUrl() + ": " + e.getMessage(),
        e);
  }

  /** One publishing run: the state it finds and builds up. */
  private final class Run {
    private final GitHubApi api;
    private final PublishedRelease release;
    private final Journal journal;
    private final ReleaseListener log;
    private final String repo;
    private final ReleaseManifest manifest;
    private final List<PublishRecord.Item> items = new ArrayList<>();
    private PublishRecord.Item releaseItem;

    Run(GitHubApi api, PublishedRelease release, Journal journal, ReleaseListener log) {
      this.api = api;
      this.release = release;
      this.journal = journal;
      this.log = log;
      this.repo = settings.repository();
      this.manifest = release.manifest();
    }

    PublishRecord run() throws RebuildException, ApiException {
      Answer r = api.json("GET", api.at("/repos/" + repo), null);
      if (r.status() == 404) {
        throw RebuildException.badInput(
            "publish.github.repository",
            "repository "
                + repo
                + " not found at "
                + settings.apiUrl()
                + " (or the token cannot see it): check <repository> (owner/name) and that the"
                + " token has access to it");
      }
      expect(r, 200, "read the repository");
      JsonNode perms = r.json().path("permissions");
      if (perms.has("push") && !perms.path("push").asBoolean()) {
        throw RebuildException.badInput(
            "publish.github.serverId",
            "the token cannot write to "
                + repo
                + " (its permissions there: no push); use a token with Contents write access");
      }
      String tag = manifest.tag();
      JsonNode original = releaseByTag(tag);
      Mode mode = settings.mode();
      if (mode == null) {
        mode = chooseMode(original);
      }
      JsonNode target;
      if (mode == Mode.ATTACH) {
        target = attachable(original);
        log.info(
            id()
                + ": attaching to the release "
                + tag
                + " ("
                + target.path("html_url").asText()
                + ")");
      } else {
        target = labelRelease();
      }
      releaseItem = releaseItem(target);
      List<JsonNode> assets = assets(target);
      boolean immutablePublished =
          !target.path("draft").asBoolean() && target.path("immutable").asBoolean();
      for (ReleaseFile f : release.files()) {
        PublishRecord.Item item = put(target, assets, f, immutablePublished);
        items.add(item);
        journal.save(record());
      }
      if (mode == Mode.RELEASE && target.path("draft").asBoolean()) {
        target = publishDraft(target);
        releaseItem = releaseItem(target);
        journal.save(record());
      }
      log.info(
          id() + ": " + release.files().size() + " files at " + target.path("html_url").asText());
      return record();
    }

    private PublishRecord record() {
      List<PublishRecord.Item> all = new ArrayList<>();
      all.add(releaseItem);
      all.addAll(items);
      return new PublishRecord(PublishRecord.SCHEMA, id(), release.manifestSha256(), all);
    }

    private PublishRecord.Item releaseItem(JsonNode r) {
      return new PublishRecord.Item(
          r.path("draft").asBoolean() ? "github-draft-release" : "github-release",
          r.path("html_url").asText(),
          null,
          List.of(r.path("tag_name").asText()));
    }

    /** The published release of {@code tag}, or null (drafts are not found by tag). */
    private JsonNode releaseByTag(String tag) throws ApiException {
      Answer a = api.json("GET", api.at("/repos/" + repo + "/releases/tags/" + enc(tag)), null);
      if (a.status() == 404) {
        return null;
      }
      expect(a, 200, "read the release of " + tag);
      return a.json();
    }

    private Mode chooseMode(JsonNode original) throws RebuildException, ApiException {
      String tag = manifest.tag();
      String choose =
          "\nChoose in <github>: <mode>release</mode> publishes a new release "
              + release.label()
              + " at the commit of "
              + tag
              + "; <mode>attach</mode> adds the files to the release "
              + tag
              + ".";
      checkAttachable(original, choose);
      List<String> clashes = new ArrayList<>();
      Map<String, ReleaseFile> ours = new LinkedHashMap<>();
      release.files().forEach(f -> ours.put(f.name(), f));
      for (JsonNode a : assets(original)) {
        ReleaseFile f = ours.get(a.path("name").asText());
        if (f != null && !isOurs(a) && !same(a, f, false)) {
          clashes.add(f.name());
        }
      }
      if (!clashes.isEmpty()) {
        throw RebuildException.badInput(
            "publish.github.mode",
            "the release "
                + tag
                + " already has files named like the rebuild's, with other bytes: "
                + clashes
                + "."
                + choose);
      }
      log.info(
          id()
              + ": the release "
              + tag
              + " exists, is not immutable and no name clashes: attaching (set <mode> to choose)");
      return Mode.ATTACH;
    }

    /** Refuses a missing or immutable original release; {@code more} ends the message. */
    private void checkAttachable(JsonNode original, String more) throws RebuildException {
      String tag = manifest.tag();
      if (original == null) {
        throw RebuildException.badInput(
            "publish.github.mode",
            repo
                + " has no published release for "
                + tag
                + " to attach the files to: create it, or publish a new release "
                + release.label()
                + " with <mode>release</mode>."
                + more);
      }
      if (original.path("immutable").asBoolean()) {
        throw RebuildException.badInput(
            "publish.github.mode",
            "the release "
                + tag
                + " of "
                + repo
                + " is immutable: GitHub takes no new assets for it. Use <mode>release</mode> to"
                + " publish a new release "
                + release.label()
                + " at the same commit."
                + more);
      }
    }

    private JsonNode attachable(JsonNode original) throws RebuildException, ApiException {
      checkAttachable(original, "");
      requireTagAtCommit(
          manifest.tag(),
          "publish.github.repository",
          "the files would not belong to that release. Check <repository> and the rebuild's"
              + " source");
      return original;
    }

    /** The release for the label: found (a draft of an earlier run, or published), or created. */
    private JsonNode labelRelease() throws RebuildException, ApiException {
      String label = release.label();
      for (JsonNode r : api.list(api.at("/repos/" + repo + "/releases?per_page=100"))) {
        if (label.equals(r.path("tag_name").asText())) {
          log.info(
              id()
                  + ": the release "
                  + label
                  + " exists ("
                  + (r.path("draft").asBoolean() ? "a draft" : "published")
                  + "), completing it");
          checkTagFree(label);
          return r;
        }
      }
      checkTagFree(label);
      ObjectNode body = NODES.objectNode();
      body.put("tag_name", label);
      body.put("target_commitish", manifest.commit());
      body.put("name", label);
      body.put("body", notes());
      body.put("draft", true);
      body.put("prerelease", false);
      // A rebuild of an old tag must not take "Latest" from the project's newest release.
      body.put("make_latest", "false");
      Answer a = api.json("POST", api.at("/repos/" + repo + "/releases"), body);
      if (a.status() == 201) {
        log.info(id() + ": created the draft release " + label);
        return a.json();
      }
      if (a.status() == 422 || a.status() >= 500 || a.status() == -1) {
        for (JsonNode r : api.list(api.at("/repos/" + repo + "/releases?per_page=100"))) {
          if (label.equals(r.path("tag_name").asText())) {
            return r;
          }
        }
      }
      throw failure("create the release " + label, a);
    }

    /** Refuses a label whose tag exists at another commit: tags are never moved. */
    private void checkTagFree(String label) throws RebuildException, ApiException {
      requireTagAtCommit(label, "label", "tags are never moved. Choose another rebuild.label");
    }

    /** Refuses {@code tag} when it exists at another commit than the rebuild's. */
    private void requireTagAtCommit(String tag, String parameter, String why)
        throws RebuildException, ApiException {
      String at = tagCommit(tag);
      if (at != null && !at.equals(manifest.commit())) {
        throw RebuildException.badInput(
            parameter,
            "the tag "
                + tag
                + " of "
                + repo
                + " is the commit "
                + at
                + ", not "
                + manifest.commit()
                + " (the commit of "
                + manifest.tag()
                + " the rebuild was built from): "
                + why);
      }
    }

    /** The commit a tag names, or null when there is no such tag. */
    private String tagCommit(String tag) throws ApiException {
      Answer a = api.json("GET", api.at("/repos/" + repo + "/git/ref/tags/" + enc(tag)), null);
      if (a.status() == 404) {
        return null;
      }
      expect(a, 200, "read the tag " + tag);
      JsonNode o = a.json().path("object");
      for (int depth = 0; o.path("type").asText().equals("tag") && depth < 5; depth++) {
        Answer t =
            api.json(
                "GET", api.at("/repos/" + repo + "/git/tags/" + enc(o.path("sha").asText())), null);
        expect(t, 200, "read the annotated tag " + tag);
        o = t.json().path("object");
      }
      return o.path("sha").asText(null);
    }

    private JsonNode publishDraft(JsonNode draft) throws RebuildException, ApiException {
      checkTagFree(release.label());
      ObjectNode body = NODES.objectNode();
      body.put("draft", false);
      body.put("make_latest", "false");
      Answer a =
          api.json(
              "PATCH", api.at("/repos/" + repo + "/releases/" + draft.path("id").asLong()), body);
      expect(a, 200, "publish the draft release " + release.label());
      log.info(
          id()
              + ": published the release "
              + release.label()
              + " ("
              + a.json().path("html_url").asText()
              + ")");
      return a.json();
    }

    private List<JsonNode> assets(JsonNode rel) throws ApiException {
      return api.list(
          api.at(
              "/repos/" + repo + "/releases/" + rel.path("id").asLong() + "/assets?per_page=100"));
    }

    private JsonNode named(List<JsonNode> assets, String name) {
      for (JsonNode a : assets) {
        if (name.equals(a.path("name").asText())) {
          return a;
        }
      }
      return null;
    }

    private boolean isOurs(JsonNode asset) {
      return (asset.path("name").asText() + MARK).equals(asset.path("label").asText(null));
    }

    /** Makes the release hold {@code f}: skip, upload, or replace a broken or (allowed) old one. */
    private PublishRecord.Item put(
        JsonNode rel, List<JsonNode> assets, ReleaseFile f, boolean immutable)
        throws RebuildException, ApiException {
      for (int attempt = 1; ; attempt++) {
        JsonNode existing = named(assets, f.name());
        if (existing != null) {
          boolean uploaded = "uploaded".equals(existing.path("state").asText());
          if (uploaded && same(existing, f, true)) {
            log.info(id() + ": " + f.name() + " is there with the same sha256, skipped");
            return item(existing, f);
          }
          if (!uploaded) {
            log.info(
                id()
                    + ": "
                    + f.name()
                    + " is a broken upload (state "
                    + existing.path("state").asText()
                    + "), deleting it");
          } else if (!isOurs(existing)) {
            throw RebuildException.badInput(
                "publish.github",
                "the release "
                    + rel.path("tag_name").asText()
                    + " already has an asset "
                    + f.name()
                    + " with other bytes that the rebuild did not upload; it is never touched."
                    + " Delete or rename it on GitHub if it is not needed, or publish to a new"
                    + " release with <mode>release</mode>");
          } else if (!settings.replaceAssets()) {
            throw RebuildException.badInput(
                "replaceAssets",
                "the release "
                    + rel.path("tag_name").asText()
                    + " already has "
                    + f.name()
                    + " from an earlier rebuild, with other bytes (sha256 "
                    + existing.path("digest").asText("unknown")
                    + ", this rebuild's sha256:"
                    + f.sha256()
                    + "). Set -Drebuild.replaceAssets=true to replace it");
          } else if (immutable) {
            throw RebuildException.badInput(
                "publish.github.mode",
                "the release "
                    + rel.path("tag_name").asText()
                    + " is immutable: "
                    + f.name()
                    + " cannot be replaced. Publish with another rebuild.label");
          } else {
            log.info(id() + ": replacing " + f.name() + " (replaceAssets)");
          }
          delete(existing);
          assets.remove(existing);
        }
        if (immutable) {
          throw RebuildException.badInput(
              "publish.github.mode",
              "the release "
                  + rel.path("tag_name").asText()
                  + " is immutable and lacks "
                  + f.name()
                  + ": GitHub takes no new assets for it. Publish with another rebuild.label");
        }
        Answer a = upload(rel, f);
        if (a.status() == 201) {
          JsonNode asset = a.json();
          if (!f.name().equals(asset.path("name").asText())) {
            delete(asset);
            throw RebuildException.badInput(
                "archive.name",
                "GitHub renamed "
                    + f.name()
                    + " to "
                    + asset.path("name").asText()
                    + " (it replaces special characters); the asset was deleted. Name the files"
                    + " with letters, digits, '.', '-' and '_' only");
          }
          if (asset.path("size").asLong(-1) != f.size()
              || (asset.hasNonNull("digest")
                  && !asset.path("digest").asText().equals("sha256:" + f.sha256()))) {
            delete(asset);
            throw RebuildException.tool(
                "GitHub stored " + f.name() + " with another size or digest; deleted it", null);
          }
          log.info(id() + ": uploaded " + f.name() + " (" + f.size() + " bytes)");
          assets.add(asset);
          return item(asset, f);
        }
        boolean clash = a.status() == 422 && a.excerpt().contains("already_exists");
        if (a.status() == 422 && !clash) {
          throw RebuildException.badInput(
              "publish.github.mode",
              "GitHub refused "
                  + f.name()
                  + " for the release "
                  + rel.path("tag_name").asText()
                  + ": "
                  + failure("upload", a).getMessage()
                  + (a.excerpt().contains("immutable")
                      ? ". Use <mode>release</mode> or another rebuild.label"
                      : ""));
        }
        if (!clash && a.status() < 500 && a.status() != -1) {
          throw failure("upload " + f.name(), a);
        }
        if (attempt >= UPLOAD_ATTEMPTS) {
          throw failure("upload " + f.name() + " (" + attempt + " attempts)", a);
        }
        log.info(
            id()
                + ": uploading "
                + f.name()
                + " failed ("
                + (a.status() == -1 ? a.excerpt() : "HTTP " + a.status())
                + "); looking at what GitHub kept");
        assets.clear();
        assets.addAll(assets(rel));
      }
    }

    /** Posts the file to the release's {@code upload_url}; a connection failure is status -1. */
    private Answer upload(JsonNode rel, ReleaseFile f) throws RebuildException, ApiException {
      String template = rel.path("upload_url").asText();
      int brace = template.indexOf('{');
      String base = brace < 0 ? template : template.substring(0, brace);
      URI uri;
      try {
        uri = URI.create(base + "?name=" + enc(f.name()) + "&label=" + enc(f.name() + MARK));
      } catch (IllegalArgumentException e) {
        throw RebuildException.tool("GitHub's upload_url '" + template + "' is malformed", e);
      }
      try {
        if (!Digest.of(f.path()).hex().equals(f.sha256())) {
          throw RebuildException.badInput(
              "tagDirectory",
              f.path() + " changed after it was checked; nothing more is uploaded. Re-run.");
        }
      } catch (IOException e) {
        throw RebuildException.tool("cannot read " + f.path() + ": " + e.getMessage(), e);
      }
      try {
        return api.upload(
            uri,
            contentType(f),
            f.size(),
            () -> {
              try {
                return Files.newInputStream(f.path());
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
      } catch (ApiException e) {
        if (e.status() != -1 || !api.mayCarryToken(uri)) {
          throw e;
        }
        return new Answer(-1, null, uri, null, e.getMessage());
      }
    }

    private void delete(JsonNode asset) throws ApiException {
      Answer d =
          api.json(
              "DELETE",
              api.at("/repos/" + repo + "/releases/assets/" + asset.path("id").asLong()),
              null);
      if (d.status() != 204 && d.status() != 404) {
        throw failure("delete the asset " + asset.path("name").asText(), d);
      }
    }

    /**
     * Whether the asset holds the file's bytes: its digest, else its size and (when {@code
     * download}, else assumed) its bytes.
     */
    private boolean same(JsonNode asset, ReleaseFile f, boolean download) throws ApiException {
      String digest = asset.path("digest").asText(null);
      if (digest != null) {
        return digest.equals("sha256:" + f.sha256());
      }
      if (asset.path("size").asLong(-1) != f.size()) {
        return false;
      }
      if (!download) {
        return true;
      }
      MessageDigest md;
      try {
        md = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
      long[] count = {0};
      api.download(
          URI.create(asset.path("url").asText()),
          in -> {
            try (InputStream bounded =
                new LimitedInputStream(in, f.size() + 1, "the asset " + f.name())) {
              byte[] buf = new byte[1 << 16];
              for (int n; (n = bounded.read(buf)) > 0; ) {
                md.update(buf, 0, n);
                count[0] += n;
              }
            }
          });
      return count[0] == f.size() && HexFormat.of().formatHex(md.digest()).equals(f.sha256());
    }

    private PublishRecord.Item item(JsonNode asset, ReleaseFile f) {
      return new PublishRecord.Item(
          "asset", asset.path("browser_download_url").asText(), "sha256:" + f.sha256(), null);
    }

    /** The new release's notes: the template's, or generated. */
    private String notes() {
      String go = manifest.go().version();
      TreeSet<String> fixed = new TreeSet<>();
      TreeSet<String> originalGo = new TreeSet<>();
      Verification v = manifest.verification();
      if (v != null) {
        for (Verification.BinaryReport b : v.binaries()) {
          if (b.vulnerabilities() != null) {
            fixed.addAll(b.vulnerabilities().fixedByRebuild());
          }
          if (b.originalGo() != null) {
            originalGo.add(b.originalGo());
          }
        }
      }
      String checksums =
          release.files().stream()
              .filter(f -> f.role() == PublishedRelease.Role.CHECKSUMS)
              .map(ReleaseFile::name)
              .findFirst()
              .orElse("SHA256SUMS");
      Map<String, String> values = new LinkedHashMap<>();
      values.put("project", manifest.project());
      values.put("tag", manifest.tag());
      values.put("label", release.label());
      values.put("commit", manifest.commit());
      values.put("goVersion", go);
      values.put("originalGo", originalGo.isEmpty() ? "unknown" : String.join(", ", originalGo));
      values.put("fixed", fixed.isEmpty() ? "none found" : String.join(", ", fixed));
      values.put("checksums", checksums);
      String text = settings.notesTemplate();
      if (text == null) {
        StringBuilder b = new StringBuilder();
        b.append("Security rebuild of {project} {tag} with Go {goVersion}.\n\n")
            .append("Same source: the tag {label} is the commit {commit} of {tag}; only the Go")
            .append(" toolchain changed (the original was built with {originalGo}).\n\n");
        if (v == null) {
          b.append("The rebuild was not verified, so no fixed vulnerabilities are listed.\n\n");
        } else {
          b.append("Vulnerabilities the rebuild fixes (from its verification): {fixed}.\n\n");
        }
        b.append("Check the files:\n\n")
            .append("    sha256sum -c {checksums}\n")
            .append("    go version -m <binary>    # reports {goVersion}\n");
        text = b.toString();
      }
      for (Map.Entry<String, String> e : values.entrySet()) {
        text = text.replace("{" + e.getKey() + "}", e.getValue() == null ? "" : e.getValue());
      }
      return text;
    }

    private void expect(Answer a, int status, String what) throws ApiException {
      if (a.status() != status) {
        throw failure(what, a);
      }
    }

    private ApiException failure(String what, Answer a) {
      if (a.status() == -1) {
        return new ApiException(what + ": " + a.excerpt(), -1, "", null);
      }
      return GitHubApi.failure("cannot " + what + " (" + repo + ")", a);
    }
  }

  static String contentType(ReleaseFile f) {
    String n = f.name();
    if (n.endsWith(".tar.gz") || n.endsWith(".tgz")) {
      return "application/gzip";
    }
    if (n.endsWith(".zip")) {
      return "application/zip";
    }
    if (n.endsWith(".json")) {
      return "application/json";
    }
    if (n.endsWith(".md")) {
      return "text/markdown";
    }
    if (f.role() == PublishedRelease.Role.CHECKSUMS) {
      return "text/plain";
    }
    return "application/octet-stream";
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
