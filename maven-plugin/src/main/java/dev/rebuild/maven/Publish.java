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

  /**
   * {@code <maven>}: every file deployed as an artifact of {@code groupId:artifactId:version} (the
   * version is the rebuild label without its leading {@code v}) through Maven's own deployment, so
   * the settings.xml {@code <server>} whose id is the repository's id and the proxies apply.
   */
  public static class MavenPublish {
    /** The groupId, e.g. {@code io.nsq}. Required. */
    String groupId;

    /** The artifactId; default: the project name ({@code projectName}). */
    String artifactId;

    /**
     * {@code id::url} of the repository, like maven-deploy-plugin's {@code
     * altDeploymentRepository}; {@code -Drebuild.deployRepository=id::url} wins over it. The id
     * names the settings.xml {@code <server>} with the credentials.
     */
    String repository;
  }

  /**
   * {@code <http>}: every file PUT to {@code <url><name>}; what is there is looked at first (HEAD,
   * checksum headers, else a download), so the same bytes are skipped and other bytes refused.
   */
  public static class HttpPublish {
    /**
     * The directory the files are PUT under, e.g. {@code
     * https://repo.example.com/repository/raw/nsq/}. Required; no credentials in it.
     */
    String url;

    /**
     * The settings.xml {@code <server>} whose {@code <username>} and {@code <password>} (Maven-
     * encrypted or not) are sent as basic credentials; none: no credentials.
     */
    String serverId;
  }
}
