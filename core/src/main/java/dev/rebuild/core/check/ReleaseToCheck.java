package dev.rebuild.core.check;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One release to check and where it is published.
 *
 * @param name how reports and {@code check.properties} keys name it ({@code nsq}); letters, digits,
 *     {@code .}, {@code _} and {@code -}
 * @param tag the release tag ({@code v1.3.0})
 * @param project fills {@code {project}} in the label
 * @param published local copies of what is published: directories, archives or binaries of the
 *     original and of earlier rebuilds, tag directories ({@code target/rebuild/v1.3.0}, read
 *     through their {@code rebuild-manifest.json} and {@code dist/})
 * @param urls published files to download and read: archives or binaries of the original or of
 *     earlier rebuilds ({@code https://github.com/o/r/releases/download/v1.3.0/x.tar.gz})
 * @param images container images: a repository ({@code registry/repo}: its tag {@code tag} is the
 *     original, its tags matching the label the rebuilds) or one image ({@code registry/repo:tag},
 *     {@code oci-layout:DIR:REF})
 * @param github GitHub repositories ({@code owner/name}) whose releases publish the tag: the
 *     release of the tag and the releases tagged with a label
 */
public record ReleaseToCheck(
    String name,
    String tag,
    String project,
    List<Path> published,
    List<URI> urls,
    List<String> images,
    List<String> github) {

  static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

  public ReleaseToCheck {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(tag, "tag");
    project = project == null || project.isBlank() ? name : project;
    published = List.copyOf(published == null ? List.of() : published);
    urls = List.copyOf(urls == null ? List.of() : urls);
    images = List.copyOf(images == null ? List.of() : images);
    github = List.copyOf(github == null ? List.of() : github);
  }
}
