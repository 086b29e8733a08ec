package dev.rebuild.core.vuln;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** The test database in src/test/resources/vulndb-fixture and ways to repackage it. */
final class Fixture {

  private Fixture() {}

  static Path dir() {
    try {
      return Path.of(Fixture.class.getResource("/vulndb-fixture/index/modules.json").toURI())
          .getParent()
          .getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Zips the fixture, its layout under {@code top} ("" for the zip root, as vulndb.zip has it). */
  static Path zip(Path target, String top) {
    Path root = dir();
    try (OutputStream out = Files.newOutputStream(target);
        ZipOutputStream zip = new ZipOutputStream(out);
        Stream<Path> files = Files.walk(root)) {
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        zip.putNextEntry(new ZipEntry(top + root.relativize(f).toString().replace('\\', '/')));
        Files.copy(f, zip);
        zip.closeEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return target;
  }

  /** Copies the fixture to {@code target} so that a test may damage it. */
  static Path copy(Path target) {
    Path root = dir();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : files.sorted().toList()) {
        Path to = target.resolve(root.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(to);
        } else {
          Files.copy(f, to);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return target;
  }

  static ScanTarget target(String goVersion, String goos, String goarch, ModuleRef... modules) {
    return new ScanTarget("app", goVersion, goos, goarch, List.of(modules));
  }
}
