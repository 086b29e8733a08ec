package dev.rebuild.core.publish.github;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Where the token may go: the API's origin and its upload sibling over HTTPS, nowhere else. */
class GitHubApiTest {

  static GitHubApi api(String root) {
    return new GitHubApi(
        URI.create(root),
        "t",
        Clock.systemUTC(),
        d -> {},
        Duration.ofSeconds(1),
        Duration.ofMillis(1),
        m -> {});
  }

  @Test
  void githubComSendsTheTokenToItsUploadHostOnly() {
    GitHubApi a = api("https://api.github.com");
    assertTrue(a.mayCarryToken(URI.create("https://api.github.com/repos/o/r")));
    assertTrue(
        a.mayCarryToken(URI.create("https://uploads.github.com/repos/o/r/releases/1/assets")));
    assertFalse(
        a.mayCarryToken(URI.create("http://uploads.github.com/repos/o/r/releases/1/assets")));
    assertFalse(a.mayCarryToken(URI.create("https://uploads.github.com:8443/x")));
    assertFalse(a.mayCarryToken(URI.create("https://uploads.github.com.example.org/x")));
    assertFalse(a.mayCarryToken(URI.create("https://objects.githubusercontent.com/x")));
    assertFalse(a.mayCarryToken(URI.create("http://api.github.com/repos/o/r")));
  }

  @Test
  void enterpriseKeepsItToItsOwnHost() {
    GitHubApi ghes = api("https://ghe.example.com/api/v3/");
    assertTrue(ghes.mayCarryToken(URI.create("https://ghe.example.com/api/uploads/repos/o/r")));
    assertFalse(ghes.mayCarryToken(URI.create("https://uploads.ghe.example.com/x")));
    GitHubApi cloud = api("https://api.acme.ghe.com");
    assertTrue(cloud.mayCarryToken(URI.create("https://uploads.acme.ghe.com/repos/o/r")));
    assertFalse(cloud.mayCarryToken(URI.create("https://uploads.other.ghe.com/repos/o/r")));
  }
}
