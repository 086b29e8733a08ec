package dev.rebuild.core.toolchain;

import dev.rebuild.core.model.Platform;
import java.util.Locale;

/** This JVM's platform in Go's terms, for picking the toolchain build to use. */
public final class HostPlatform {

  private HostPlatform() {}

  /**
   * The GOOS/GOARCH of this JVM.
   *
   * @throws IllegalStateException when the JVM runs where Go ships no toolchain
   */
  public static Platform detect() {
    return of(System.getProperty("os.name"), System.getProperty("os.arch"));
  }

  static Platform of(String osName, String osArch) {
    String n = osName.toLowerCase(Locale.ROOT);
    String os;
    if (n.startsWith("linux")) {
      os = "linux";
    } else if (n.startsWith("mac") || n.startsWith("darwin")) {
      os = "darwin";
    } else if (n.startsWith("windows")) {
      os = "windows";
    } else if (n.startsWith("freebsd")) {
      os = "freebsd";
    } else if (n.startsWith("openbsd")) {
      os = "openbsd";
    } else if (n.startsWith("netbsd")) {
      os = "netbsd";
    } else if (n.startsWith("sunos") || n.startsWith("solaris")) {
      os = "solaris";
    } else if (n.startsWith("aix")) {
      os = "aix";
    } else {
      throw new IllegalStateException(
          "no Go toolchains are published for the OS '" + osName + "'; set rebuild.goroot");
    }
    String a = osArch.toLowerCase(Locale.ROOT);
    String arch =
        switch (a) {
          case "amd64", "x86_64" -> "amd64";
          case "aarch64", "arm64" -> "arm64";
          case "x86", "i386", "i486", "i586", "i686" -> "386";
          case "arm", "armv7l", "armv6l" -> "arm";
          case "ppc64le", "ppc64", "s390x", "riscv64", "loong64", "mips64le", "mips64" -> a;
          default ->
              throw new IllegalStateException(
                  "no Go toolchains are published for the CPU '"
                      + osArch
                      + "'; set rebuild.goroot");
        };
    return new Platform(os, arch);
  }
}
