package dev.rebuild.core.image;

/** The media types of OCI and Docker images this package reads and writes. */
final class MediaTypes {
  static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
  static final String OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
  static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar";
  static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
  static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
  static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
  static final String DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip";

  private MediaTypes() {}

  static boolean isIndex(String mediaType) {
    return OCI_INDEX.equals(mediaType) || DOCKER_LIST.equals(mediaType);
  }

  static boolean isManifest(String mediaType) {
    return OCI_MANIFEST.equals(mediaType) || DOCKER_MANIFEST.equals(mediaType);
  }

  /** The OCI name of a layer type; same bytes, so the digest does not change. */
  static String ociLayer(String mediaType) {
    if (DOCKER_LAYER_GZIP.equals(mediaType)) {
      return OCI_LAYER_GZIP;
    }
    if ("application/vnd.docker.image.rootfs.diff.tar".equals(mediaType)) {
      return OCI_LAYER;
    }
    return mediaType;
  }
}
