package dev.rebuild.core.infer;

import static dev.rebuild.core.testing.GoFixtures.GO_1_21;
import static dev.rebuild.core.testing.GoFixtures.GO_1_22;
import static dev.rebuild.core.testing.GoFixtures.requireGo;
import static dev.rebuild.core.testing.GoFixtures.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.rebuild.core.RebuildException;
import dev.rebuild.core.image.Fixture;
import dev.rebuild.core.model.Digest;
import dev.rebuild.core.model.Platform;
import dev.rebuild.core.pipeline.RebuildResult;
import dev.rebuild.core.pipeline.ReleaseOptions;
import dev.rebuild.core.pipeline.ReleasePipeline;
import dev.rebuild.core.publish.github.GitHubApi;
import dev.rebuild.core.recipe.NameTemplate;
import dev.rebuild.core.release.RebuildPlan;
import dev.rebuild.core.release.RebuildRequest;
import dev.rebuild.core.release.ReleaseManifest;
import dev.rebuild.core.release.Verification;
import dev.rebuild.core.stage.OriginalRelease;
import dev.rebuild.core.stage.VerificationSettings;
import dev.rebuild.core.stage.VerifyStage;
import dev.rebuild.core.testing.FakeGitHub;
import dev.rebuild.core.testing.RecordingReleaseListener;
import dev.rebuild.core.testing.TestTools;
import dev.rebuild.core.toolchain.ToolchainSettings;
import dev.rebuild.core.verify.Verifier;
import dev.rebuild.core.vuln.FailOn;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/**
 * Rebuilds with no recipe at all: the recipe is read from originals that GoReleaser v2 and an
 * NSQ-style {@code dist.sh} built with Go 1.21, and the rebuild with Go 1.22 must pass the
 * same-as-original verification on every binary.
 */
class RecipeInferenceTest {

  static final Path VULNDB = Path.of("src/test/resources/vulndb-fixture").toAbsolutePath();

  @TempDir static Path shared;
  static Path go121;
  static Path go122;
  static Path kestrel;
  static String kestrelCommit;
  static Path kestrelRelease;
  static Path nsq;
  static Path nsqRelease;
  static Path nsqTrimpathRelease;

  @BeforeAll
  static void originals() throws Exception {
    go121 = requireGo(GO_1_21);
    go122 = requireGo(GO_1_22);
    kestrel = shared.resolve("kestrel");
    kestrelCommit = OriginalFixtures.kestrel(kestrel);
    kestrelRelease = shared.resolve("kestrel-release");
    OriginalFixtures.goreleaser(kestrel, go121, kestrelRelease);
    nsq = shared.resolve("nsq");
    OriginalFixtures.nsq(nsq);
    nsqRelease = shared.resolve("nsq-release");
    OriginalFixtures.distSh(nsq, go121, nsqRelease, "");
    nsqTrimpathRelease = shared.resolve("nsq-release-trimpath");
    OriginalFixtures.distSh(nsq, go121, nsqTrimpathRelease, "-trimpath");
  }

  static ReleasePipeline pipeline(List<String> log) {
    ToolchainSettings settings =
        ToolchainSettings.builder().goroot(go122).extraGoroots(List.of(go121)).build();
    return RecordingReleaseListener.pipeline(settings, log);
  }

  static ReleaseOptions verifying(Path original) {
    return verifying(original.toString());
  }

  static ReleaseOptions verifying(String original) {
    OriginalRelease originals = new OriginalRelease(original, null, HttpClient.newHttpClient());
    return new ReleaseOptions(
        new VerifyStage(
            new VerificationSettings(original, null, VULNDB.toString(), FailOn.NONE), originals),
        null,
        null,
        true);
  }

  static RebuildRequest request(
      Path repo, String tag, Path original, RecipeOverrides given, Path out) {
    return request(repo, tag, original.toString(), List.of(), given, null, out);
  }

  /** A rebuild of {@code tag} with Go 1.22 and no recipe: read from {@code original}. */
  static RebuildRequest request(
      Path repo,
      String tag,
      String original,
      List<String> names,
      RecipeOverrides given,
      String image,
      Path out) {
    return request(
        repo,
        tag,
        new OriginalRelease(original, null, HttpClient.newHttpClient()),
        names,
        given,
        image,
        out);
  }

  static RebuildRequest request(
      Path repo,
      String tag,
      OriginalRelease original,
      List<String> names,
      RecipeOverrides given,
      String image,
      Path out) {
    return new RebuildRequest(
        repo.toString(),
        tag,
        GO_1_22,
        null,
        out,
        2,
        new RebuildRequest.Inference(original, names, given, image, null, null));
  }

  @Test
  void goReleaserOriginalIsRebuiltWithNoRecipeAndEveryBinaryEqualsTheOriginal(@TempDir Path out)
      throws Exception {
    Map<String, String> before = digests(kestrelRelease);
    List<String> log = new ArrayList<>();
    long started = System.nanoTime();
    RebuildResult result =
        pipeline(log)
            .release(
                request(kestrel, "v2.4.1", kestrelRelease, RecipeOverrides.none(), out),
                verifying(kestrelRelease));
    System.out.printf(
        "[infer] GoReleaser original rebuilt in %d ms%n",
        (System.nanoTime() - started) / 1_000_000);

    // GoReleaser's names carry no Go version: the label goes into the version part.
    ReleaseManifest m = result.manifest();
    assertEquals(
        List.of(
            "kestrel_2.4.1-go1.22.12_linux_amd64.tar.gz",
            "kestrel_2.4.1-go1.22.12_linux_armv7.tar.gz",
            "kestrel_2.4.1-go1.22.12_windows_amd64.zip"),
        m.artifacts().stream().map(ReleaseManifest.Artifact::name).toList());
    assertEquals("{project}_{version}-go{goVersion}_{os}_{arch}", m.recipe().archive().name());
    assertEquals(Map.of("windows", "zip"), m.recipe().archive().formatOverrides());
    assertEquals(List.of("linux/amd64", "linux/arm/7", "windows/amd64"), m.recipe().targets());
    // GoReleaser names the binary after the project, go build after the package.
    assertEquals(
        Map.of("example.com/kestrel/cmd/kestrel-cli", "kestrel"), m.recipe().binaryNames());
    assertTrue(
        log.stream().anyMatch(l -> l.contains("do not carry the Go version")), log.toString());
    assertTrue(
        log.stream().anyMatch(l -> l.contains("main.date=") && l.contains("kept literal")),
        log.toString());

    // Every binary: same as the original but for Go.
    Verification v = m.verification();
    assertEquals(3, v.binaries().size());
    assertEverySameAsOriginal(v);

    // The independent reader sees GoReleaser's flags with this commit and version.
    Path unpacked = Files.createDirectories(out.resolve("unpacked"));
    run(
        unpacked,
        Map.of(),
        "tar",
        "xzf",
        result.dist().resolve(m.artifacts().get(1).name()).toString());
    String info =
        run(
            unpacked,
            Map.of("GOFLAGS", ""),
            TestTools.machineGoCommand().toString(),
            "version",
            "-m",
            "kestrel");
    assertTrue(info.contains("go1.22.12"), info);
    assertTrue(info.contains("-X main.version=2.4.1 -X main.commit=" + kestrelCommit), info);
    assertTrue(info.contains("GOARM=7"), info);
    assertTrue(info.contains("CGO_ENABLED=0"), info);

    // LICENSE and README come over unchanged, with their modes, next to the binary.
    String listing =
        run(
            unpacked,
            Map.of(),
            "tar",
            "tvzf",
            result.dist().resolve(m.artifacts().get(1).name()).toString());
    assertTrue(listing.contains("-rw-r--r-- 0/0") && listing.contains(" LICENSE"), listing);
    assertTrue(listing.contains(" README.md"), listing);
    assertEquals(
        Files.readString(kestrel.resolve("LICENSE")),
        Files.readString(unpacked.resolve("LICENSE")));
    String zipListing =
        run(
            unpacked,
            Map.of(),
            "unzip",
            "-Z",
            result.dist().resolve(m.artifacts().get(2).name()).toString());
    assertTrue(zipListing.contains("LICENSE") && zipListing.contains("kestrel.exe"), zipListing);

    // The original release is only read.
    assertEquals(before, digests(kestrelRelease));
  }

  @Test
  void anOriginalUnderAUrlPrefixIsDownloadedCheckedAgainstItsChecksumsAndRead(@TempDir Path out)
      throws Exception {
    Path served = Files.createDirectories(out.resolve("served"));
    for (String name : list(kestrelRelease)) {
      Files.copy(kestrelRelease.resolve(name), served.resolve(name));
    }
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    List<String> requested = new ArrayList<>();
    server.createContext(
        "/releases/",
        exchange -> {
          String name = exchange.getRequestURI().getPath().substring("/releases/".length());
          requested.add(name);
          Path file = served.resolve(name);
          if (!name.contains("/") && Files.isRegularFile(file)) {
            byte[] body = Files.readAllBytes(file);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
          } else {
            exchange.sendResponseHeaders(404, -1);
          }
          exchange.close();
        });
    server.start();
    try {
      String prefix = "http://127.0.0.1:" + server.getAddress().getPort() + "/releases";
      List<String> names = list(kestrelRelease);
      // Downloads whose sha256 the release's checksums list names are kept by it.
      OriginalRelease cached =
          new OriginalRelease(prefix, null, HttpClient.newHttpClient())
              .withCache(out.resolve("cache"));
      java.util.function.Function<Path, RebuildRequest> fromPrefix =
          dir -> request(kestrel, "v2.4.1", cached, names, RecipeOverrides.none(), null, dir);
      RebuildResult result =
          pipeline(new ArrayList<>())
              .release(fromPrefix.apply(out.resolve("rebuild")), verifying(prefix));
      assertEquals(3, result.manifest().verification().binaries().size());
      assertEverySameAsOriginal(result.manifest().verification());
      // Each file fetched once: the verification compares with what the inference read.
      assertEquals(names, requested.stream().sorted().toList());
      // Again: only the checksums list is fetched, the archives come from the cache.
      requested.clear();
      pipeline(new ArrayList<>())
          .release(fromPrefix.apply(out.resolve("again")), verifying(prefix));
      assertEquals(List.of("kestrel_2.4.1_checksums.txt"), requested);

      // A file that is not what the release's checksums list is refused.
      byte[] archive = Files.readAllBytes(served.resolve("kestrel_2.4.1_linux_amd64.tar.gz"));
      archive[archive.length - 1] ^= 1;
      Files.write(served.resolve("kestrel_2.4.1_linux_amd64.tar.gz"), archive);
      RebuildException e =
          assertThrows(
              RebuildException.class,
              () ->
                  pipeline(new ArrayList<>())
                      .release(
                          request(
                              kestrel,
                              "v2.4.1",
                              prefix,
                              names,
                              RecipeOverrides.none(),
                              null,
                              out.resolve("tampered")),
                          verifying(prefix)));
      assertEquals("original", e.parameter());
      assertTrue(e.getMessage().contains("kestrel_2.4.1_checksums.txt lists"), e.getMessage());
      assertEquals(List.of(), list(out.resolve("tampered/v2.4.1/dist")));
    } finally {
      server.stop(0);
    }
  }

  @Test
  void aGitHubReleaseIsReadThroughTheRestApiTokenOnlyToTheApi(@TempDir Path out) throws Exception {
    try (FakeGitHub github = new FakeGitHub("t0ken-for-the-api")) {
      Map<String, byte[]> assets = new TreeMap<>();
      for (String name : list(kestrelRelease)) {
        assets.put(name, Files.readAllBytes(kestrelRelease.resolve(name)));
      }
      // A package the recipe does not need: not fetched.
      assets.put("kestrel_2.4.1_amd64.deb", new byte[] {1, 2, 3});
      github.tag("example/kestrel", "v2.4.1", kestrelCommit);
      github.publishedRelease("example/kestrel", "v2.4.1", assets);
      GitHubApi api =
          new GitHubApi(
              github.apiUrl(),
              "t0ken-for-the-api",
              java.time.Clock.systemUTC(),
              GitHubApi.Sleeper.REAL,
              java.time.Duration.ofSeconds(5),
              java.time.Duration.ofMillis(10),
              m -> {});
      OriginalRelease original =
          new OriginalRelease("github:example/kestrel", null, HttpClient.newHttpClient())
              .withGitHub(api)
              .withCache(out.resolve("cache"));
      RebuildResult result =
          pipeline(new ArrayList<>())
              .release(
                  request(
                      kestrel,
                      "v2.4.1",
                      original,
                      List.of(),
                      RecipeOverrides.none(),
                      null,
                      out.resolve("rebuild")),
                  verifying("github:example/kestrel"));
      assertEquals(3, result.manifest().verification().binaries().size());
      assertEverySameAsOriginal(result.manifest().verification());
      List<String> downloads =
          github.requests().stream().filter(r -> r.startsWith("GET /storage/")).toList();
      assertEquals(4, downloads.size(), downloads.toString());
      assertTrue(downloads.stream().noneMatch(r -> r.endsWith(".deb")), downloads.toString());
      // GitHub's storage (another origin) never gets the token.
      assertEquals(List.of(), github.storageAuthorizations());

      // No release for the tag: refused naming the parameter.
      RebuildException e =
          assertThrows(
              RebuildException.class,
              () ->
                  pipeline(new ArrayList<>())
                      .release(
                          request(
                              nsq,
                              "v1.3.0",
                              new OriginalRelease(
                                      "github:example/nsq", null, HttpClient.newHttpClient())
                                  .withGitHub(api),
                              List.of(),
                              RecipeOverrides.none(),
                              null,
                              out.resolve("none")),
                          verifying("github:example/nsq")));
      assertEquals("original", e.parameter());
      assertTrue(
          e.getMessage().contains("github:example/nsq has no published release for the tag v1.3.0"),
          e.getMessage());
    }
  }

  @Test
  void aUrlPrefixWithoutFileNamesIsRefusedNamingOriginalFiles(@TempDir Path out) {
    RebuildException e =
        assertThrows(
            RebuildException.class,
            () ->
                pipeline(new ArrayList<>())
                    .release(
                        request(
                            kestrel,
                            "v2.4.1",
                            "http://127.0.0.1:9/releases",
                            List.of(),
                            RecipeOverrides.none(),
                            null,
                            out),
                        ReleaseOptions.plain()));
    assertEquals("originalFiles", e.parameter());
    assertTrue(e.getMessage().contains("-Drebuild.originalFiles="), e.getMessage());
  }

  @Test
  void anImageOriginalGivesTheRecipeAndTheBinariesToCompareWith(@TempDir Path dir)
      throws Exception {
    // The dist.sh binaries as a two-platform image, in an OCI layout.
    Map<Platform, List<Fixture.Layer>> images = new LinkedHashMap<>();
    for (String target : List.of("linux-amd64", "linux-arm64")) {
      Path unpacked = Files.createDirectories(dir.resolve("unpacked-" + target));
      String name = "nsq-1.3.0." + target + ".go" + GO_1_21;
      run(unpacked, Map.of(), "tar", "xzf", nsqRelease.resolve(name + ".tar.gz").toString());
      List<Fixture.File> binaries = new ArrayList<>();
      for (String bin : List.of("nsqd", "nsqlookupd")) {
        binaries.add(
            new Fixture.File(
                "usr/local/bin/" + bin,
                0755,
                0,
                Files.readAllBytes(unpacked.resolve(name + "/bin/" + bin))));
      }
      images.put(
          Platform.parse(target.replace('-', '/')),
          List.of(
              Fixture.layer(
                  List.of(
                      new Fixture.File(
                          "etc/os-release",
                          0644,
                          0,
                          "ID=test\n".getBytes(StandardCharsets.UTF_8)))),
              Fixture.layer(binaries)));
    }
    Path layout = Fixture.writeImage(dir.resolve("layout"), "v1.3.0", images);
    String image = "oci-layout:" + layout + ":v1.3.0";
    List<String> log = new ArrayList<>();
    RebuildResult result =
        pipeline(log)
            .release(
                request(
                    nsq,
                    "v1.3.0",
                    image,
                    List.of(),
                    RecipeOverrides.none(),
                    image,
                    dir.resolve("out")),
                verifying(image));
    ReleaseManifest m = result.manifest();
    assertEquals(
        List.of(
            "nsqd-linux-amd64",
            "nsqd-linux-arm64",
            "nsqlookupd-linux-amd64",
            "nsqlookupd-linux-arm64"),
        m.artifacts().stream().map(ReleaseManifest.Artifact::name).toList());
    assertEquals(List.of("linux/amd64", "linux/arm64"), m.recipe().targets());
    assertEquals("-X example.com/nsq/internal/version.Binary={version}", m.recipe().ldflags());
    assertEquals("1", m.recipe().perTarget().get("linux/amd64").env().get("CGO_ENABLED"));
    assertEquals(4, m.verification().binaries().size());
    assertEverySameAsOriginal(m.verification());
    assertTrue(
        log.stream().anyMatch(l -> l.contains("the original is a container image")),
        log.toString());
  }

  @Test
  void distShOriginalIsRebuiltPerTargetWithItsCgoAndLayout(@TempDir Path out) throws Exception {
    List<String> log = new ArrayList<>();
    RebuildResult result =
        pipeline(log)
            .release(
                request(nsq, "v1.3.0", nsqRelease, RecipeOverrides.none(), out),
                verifying(nsqRelease));
    ReleaseManifest m = result.manifest();
    assertEquals(
        List.of(
            "nsq-1.3.0.darwin-arm64.go1.22.12.tar.gz",
            "nsq-1.3.0.linux-amd64.go1.22.12.tar.gz",
            "nsq-1.3.0.linux-arm64.go1.22.12.tar.gz"),
        m.artifacts().stream().map(ReleaseManifest.Artifact::name).toList());
    assertEquals("{project}-{version}.{os}-{arch}.go{goVersion}", m.recipe().archive().name());
    assertEquals("{name}/bin", m.recipe().archive().binDir());
    assertEquals("-X example.com/nsq/internal/version.Binary={version}", m.recipe().ldflags());
    assertEquals(
        List.of("example.com/nsq/apps/nsqd", "example.com/nsq/apps/nsqlookupd"),
        m.recipe().packages());
    // The native target was built with cgo, the cross-compiled ones without: kept per target.
    // (Go records the empty CGO_*FLAGS of a cgo build; unset is how to rebuild them.)
    assertEquals(Map.of("CGO_ENABLED", "1"), m.recipe().perTarget().get("linux/amd64").env());
    assertEquals(Map.of("CGO_ENABLED", "0"), m.recipe().perTarget().get("linux/arm64").env());
    assertTrue(
        log.stream().anyMatch(l -> l.contains("CGO_ENABLED=1") && l.contains("C toolchain")),
        log.toString());
    Verification v = m.verification();
    assertEquals(6, v.binaries().size());
    assertEverySameAsOriginal(v);
    String listing =
        run(
            out,
            Map.of(),
            "tar",
            "tvzf",
            result.dist().resolve("nsq-1.3.0.linux-amd64.go1.22.12.tar.gz").toString());
    assertTrue(listing.contains("-rw-r----- 0/0"), listing);
    assertTrue(listing.contains("nsq-1.3.0.linux-amd64.go1.22.12/LICENSE"), listing);
    assertTrue(listing.contains("nsq-1.3.0.linux-amd64.go1.22.12/bin/nsqd"), listing);
  }

  @Test
  void namesWithGoarchAloneKeepTheTargetsGoarm(@TempDir Path dir) throws Exception {
    Path release = dir.resolve("release");
    // GOARCH=arm without GOARM: Go 1.21 builds (and records) GOARM=7; the name says "arm".
    OriginalFixtures.distSh(nsq, go121, release, "", "linux/amd64 linux/arm");
    RebuildResult result =
        pipeline(new ArrayList<>())
            .release(
                request(nsq, "v1.3.0", release, RecipeOverrides.none(), dir.resolve("out")),
                verifying(release));
    ReleaseManifest m = result.manifest();
    assertEquals("{project}-{version}.{os}-{goarch}.go{goVersion}", m.recipe().archive().name());
    assertEquals(List.of("linux/amd64", "linux/arm/7"), m.recipe().targets());
    assertEquals(
        List.of("nsq-1.3.0.linux-amd64.go1.22.12.tar.gz", "nsq-1.3.0.linux-arm.go1.22.12.tar.gz"),
        m.artifacts().stream().map(ReleaseManifest.Artifact::name).toList());
    assertEverySameAsOriginal(m.verification());
  }

  @Test
  void givenValuesWinAndTheirContradictionsAreNamedBeforeTheVerificationRefuses(@TempDir Path out)
      throws Exception {
    RecipeOverrides given =
        new RecipeOverrides(
            null,
            List.of(Platform.parse("linux/amd64")),
            null,
            null,
            null,
            null,
            null,
            new TreeMap<>(Map.of("CGO_ENABLED", "0")),
            null);
    List<String> log = new ArrayList<>();
    RebuildPlan plan = pipeline(log).plan(request(nsq, "v1.3.0", nsqRelease, given, out));
    assertEquals(List.of(Platform.parse("linux/amd64")), plan.inferred().recipe().targets());
    assertEquals(
        Map.of("CGO_ENABLED", "0"), plan.inferred().recipe().envFor(Platform.parse("linux/amd64")));
    assertTrue(
        plan.inferred().notes().stream()
            .anyMatch(
                n ->
                    n.contains(
                        "explicit <env> CGO_ENABLED=0 differs from the original's 1 for linux/amd64")),
        plan.inferred().notes().toString());
    RebuildException e = refused(nsq, "v1.3.0", nsqRelease, given, out.resolve("release"));
    assertEquals("original", e.parameter());
    assertTrue(e.getMessage().contains("CGO_ENABLED"), e.getMessage());
  }

  @Test
  void planShowsTheSourceOfEveryValueAndTheRecipeAsPomConfiguration(@TempDir Path out)
      throws Exception {
    RebuildPlan plan =
        pipeline(new ArrayList<>())
            .plan(request(kestrel, "v2.4.1", kestrelRelease, RecipeOverrides.none(), out));
    InferredRecipe inferred = plan.inferred();
    assertNotNull(inferred);
    Map<String, InferredRecipe.Source> by = new TreeMap<>();
    inferred.sources().forEach(s -> by.putIfAbsent(s.parameter(), s));
    assertEquals("{project}_{version}_{os}_{arch}", by.get("archive.name").value());
    assertTrue(by.get("archive.name").from().contains("kestrel_2.4.1_linux_armv7.tar.gz"));
    assertTrue(
        by.get("ldflags")
            .value()
            .startsWith("-s -w -X main.version={version} -X main.commit={commit} -X main.date="));
    assertEquals(
        List.of(
            "kestrel_2.4.1-go1.22.12_linux_amd64.tar.gz",
            "kestrel_2.4.1-go1.22.12_linux_armv7.tar.gz",
            "kestrel_2.4.1-go1.22.12_windows_amd64.zip"),
        plan.targets().stream().map(RebuildPlan.TargetPlan::artifactName).toList());

    String xml = RecipeConfiguration.xml(inferred.recipe());
    // An independent XML parser reads it back.
    Document doc =
        DocumentBuilderFactory.newInstance()
            .newDocumentBuilder()
            .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    assertEquals("linux/amd64,linux/arm/7,windows/amd64", text(doc, "targets"));
    assertEquals("{project}_{version}-go{goVersion}_{os}_{arch}", text(doc, "name"));
    assertEquals("zip", text(doc, "windows"));
    assertEquals("0", text(doc, "CGO_ENABLED"));
    assertEquals("example.com/kestrel/cmd/kestrel-cli=kestrel", text(doc, "binaryNames"));
    assertTrue(text(doc, "ldflags").contains("-X main.builtBy=goreleaser"), xml);
  }

  @Test
  void aTrimpathOriginalHidesItsLdflagsSoTheyMustBeGiven(@TempDir Path out) throws Exception {
    RebuildException e = refused(nsq, "v1.3.0", nsqTrimpathRelease, RecipeOverrides.none(), out);
    assertEquals("ldflags", e.parameter());
    assertTrue(e.getMessage().contains("-trimpath"), e.getMessage());
    assertTrue(e.getMessage().contains("-Drebuild.ldflags"), e.getMessage());
    assertEquals(List.of(), list(out.resolve("v1.3.0").resolve("dist")));

    RecipeOverrides given =
        new RecipeOverrides(
            null,
            null,
            null,
            NameTemplate.parse(
                "-X example.com/nsq/internal/version.Binary={version}",
                NameTemplate.LDFLAGS_PLACEHOLDERS),
            null,
            null,
            null,
            null,
            null);
    RebuildResult result =
        pipeline(new ArrayList<>())
            .release(
                request(nsq, "v1.3.0", nsqTrimpathRelease, given, out.resolve("given")),
                verifying(nsqTrimpathRelease));
    assertTrue(result.manifest().recipe().trimpath());
    assertEverySameAsOriginal(result.manifest().verification());
    Path unpacked = Files.createDirectories(out.resolve("unpacked"));
    run(
        unpacked,
        Map.of(),
        "tar",
        "xzf",
        result.dist().resolve("nsq-1.3.0.linux-amd64.go1.22.12.tar.gz").toString());
    // The version the given -ldflags stamp (the build info cannot show it): run the binary.
    assertEquals(
        "nsqd 1.3.0\n",
        run(
            unpacked,
            Map.of(),
            unpacked.resolve("nsq-1.3.0.linux-amd64.go1.22.12/bin/nsqd").toString()));
  }

  @Test
  void aDirectoryWhoseFilesDoNotMatchItsChecksumsIsRefused(@TempDir Path dir) throws Exception {
    Path release = Files.createDirectories(dir.resolve("release"));
    for (String name : list(kestrelRelease)) {
      Files.copy(kestrelRelease.resolve(name), release.resolve(name));
    }
    Files.write(release.resolve("kestrel_2.4.1_windows_amd64.zip"), new byte[] {'P', 'K', 3, 4});
    RebuildException e =
        refused(kestrel, "v2.4.1", release, RecipeOverrides.none(), dir.resolve("out"));
    assertEquals("original", e.parameter());
    assertTrue(
        e.getMessage().contains("kestrel_2.4.1_windows_amd64.zip has sha256"), e.getMessage());
  }

  @Test
  void anArchiveWithoutGoBuildInformationIsRefusedNamingWhatToConfigure(@TempDir Path dir)
      throws Exception {
    Path release = Files.createDirectories(dir.resolve("release"));
    Path content = Files.createDirectories(dir.resolve("content/nsq-1.3.0.linux-amd64/bin"));
    Files.writeString(content.resolve("nsqd"), "#!/bin/sh\necho not go\n");
    run(
        dir.resolve("content"),
        Map.of(),
        "tar",
        "czf",
        release.resolve("nsq-1.3.0.linux-amd64.tar.gz").toString(),
        "nsq-1.3.0.linux-amd64");
    RebuildException e =
        refused(nsq, "v1.3.0", release, RecipeOverrides.none(), dir.resolve("out"));
    assertEquals("original", e.parameter());
    assertTrue(
        e.getMessage().contains("no archive with a Go binary that has build information"),
        e.getMessage());
    assertTrue(e.getMessage().contains("<targets>"), e.getMessage());
  }

  @Test
  void archiveNamesWithNoCommonPatternAreRefusedNamingTheNameTemplate(@TempDir Path dir)
      throws Exception {
    Path release = Files.createDirectories(dir.resolve("release"));
    Files.copy(
        nsqRelease.resolve("nsq-1.3.0.linux-amd64.go1.21.13.tar.gz"),
        release.resolve("nsq-1.3.0.linux-amd64.go1.21.13.tar.gz"));
    Files.copy(
        nsqRelease.resolve("nsq-1.3.0.linux-arm64.go1.21.13.tar.gz"),
        release.resolve("server-for-raspberry.tar.gz"));
    RebuildException e =
        refused(nsq, "v1.3.0", release, RecipeOverrides.none(), dir.resolve("out"));
    assertEquals("archive.name", e.parameter());
    assertTrue(e.getMessage().contains("server-for-raspberry.tar.gz"), e.getMessage());
    assertTrue(e.getMessage().contains("<archive><name>"), e.getMessage());
  }

  /** The rebuild from {@code release} fails before anything is committed. */
  static RebuildException refused(
      Path repo, String tag, Path release, RecipeOverrides given, Path out) {
    return assertThrows(
        RebuildException.class,
        () ->
            pipeline(new ArrayList<>())
                .release(request(repo, tag, release, given, out), verifying(release)));
  }

  /** Every binary passed the same-as-original check, against an original built with Go 1.21. */
  static void assertEverySameAsOriginal(Verification v) {
    for (Verification.BinaryReport b : v.binaries()) {
      assertTrue(
          b.checks().stream()
              .anyMatch(c -> c.name().equals(Verifier.SAME_AS_ORIGINAL) && c.passed()),
          b.path() + " " + b.checks());
      assertEquals("go" + GO_1_21, b.originalGo(), b.path());
    }
  }

  private static String text(Document doc, String tag) {
    return doc.getElementsByTagName(tag).item(0).getTextContent();
  }

  private static List<String> list(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static Map<String, String> digests(Path dir) throws IOException {
    Map<String, String> out = new TreeMap<>();
    for (String name : list(dir)) {
      out.put(name, Digest.of(dir.resolve(name)).hex());
    }
    return out;
  }
}
