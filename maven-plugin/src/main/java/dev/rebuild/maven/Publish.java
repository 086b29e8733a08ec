package dev.rebuild.maven;

/**
 * The {@code <publish>} configuration: where the committed archives, checksums, manifest and report
 * are uploaded. Each destination is optional; with none, only images are published. {@code
 * -Drebuild.publish=github,maven} limits a run to some of the configured ones.
 *
 * <pre>{@code
 * <publish>
 *   <github><repository>nsqio/nsq</repository><mode>attach</mode></github>
 *   <maven><groupId>io.nsq</groupId><artifactId>nsq</artifactId></maven>
 *   <http><url>https://repo.example.com/raw/nsq/</url><serverId>raw</serverId></http>
 * </publish>
 * }</pre>
 *
 * @since 0.3.0
 */
public class Publish {

  /** A GitHub (or GitHub Enterprise Server) release. */
  GitHubPublish github;

  /** A Maven repository, through the running Maven's deployment machinery. */
  MavenPublish maven;

  /** A plain HTTP directory (Artifactory generic, Nexus raw, WebDAV): {@code PUT <url>/<name>}. */
  HttpPublish http;

  /** {@code <github>}. */
  public static class GitHubPublish {
    /** {@code owner/name}, e.g. {@code nsqio/nsq}. Required. */
    String repository;

    /**
     * {@code attach}: add the files to the original tag's release; {@code release}: a new release
     * for the rebuild label, tagged at the original tag's commit. Empty: attach when the original
     * release exists, is not immutable and no file name clashes, else stop and say which to choose.
     */
    String mode;

    /**
     * The REST API root: {@code https://api.github.com} (default), or {@code https://HOST/api/v3}
     * for GitHub Enterprise Server.
     */
    String apiUrl;

    /**
     * The settings.xml {@code <server>} whose {@code <password>} is the token (Maven-encrypted or
     * not); default {@code github}. Without such a server: {@code GITHUB_TOKEN}, then {@code
     * GH_TOKEN}.
     */
    String serverId;

    /**
     * A UTF-8 file whose text replaces the generated notes of a new release; placeholders {@code
     * {project}}, {@code {tag}}, {@code {label}}, {@code {commit}}, {@code {goVersion}}, {@code
     * {originalGo}}, {@code {fixed}}, {@code {checksums}}.
     */
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
