package dev.rebuild.maven;

/**
 * The {@code <publish>} configuration: where the committed archives, checksums, manifest and report
 * are uploaded. Each destination is optional; with none, only images are published.
 *
 * @since 0.3.0
 */
public class Publish {

  /** A GitHub (or GitHub Enterprise) release. */
  GitHubPublish github;

  /** A Maven repository, through the running Maven's deployment machinery. */
  MavenPublish maven;

  /** A plain HTTP directory (Artifactory generic, Nexus raw, WebDAV): {@code PUT <url>/<name>}. */
  HttpPublish http;

  /** {@code <github>}. */
  public static class GitHubPublish {
    /** {@code owner/name}. */
    String repository;

    /** {@code attach} or {@code release}; empty: chosen from the original release. */
    String mode;

    /** The REST API root; default {@code https://api.github.com}. */
    String apiUrl;

    /** The settings.xml server holding the token; default {@code github}. */
    String serverId;

    /** A file whose text replaces the generated release notes. */
    java.io.File notesTemplate;
  }

  /** {@code <maven>}. */
  public static class MavenPublish {
    String groupId;

    /** Default: the project name. */
    String artifactId;

    /** {@code id::url}; default: {@code rebuild.deployRepository}. */
    String repository;
  }

  /** {@code <http>}. */
  public static class HttpPublish {
    /** The directory URL files are PUT under. */
    String url;

    /** The settings.xml server holding the credentials. */
    String serverId;
  }
}
