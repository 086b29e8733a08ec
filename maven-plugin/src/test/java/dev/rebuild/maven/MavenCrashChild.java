package dev.rebuild.maven;

import dev.rebuild.core.publish.PublishedRelease;
import dev.rebuild.core.testing.ChildKill;
import dev.rebuild.core.testing.FileJournal;
import dev.rebuild.core.testing.PublishFixtures;
import dev.rebuild.core.testing.RecordingReleaseListener;
import java.nio.file.Path;
import java.util.ArrayList;
import org.eclipse.aether.DefaultRepositorySystemSession;
import org.eclipse.aether.RepositorySystem;
import org.eclipse.aether.transfer.AbstractTransferListener;
import org.eclipse.aether.transfer.TransferEvent;

/**
 * A Maven publish in a JVM of its own, for {@link MavenDestinationTest} to kill with {@code kill
 * -9} in the middle of an upload: once more than a MiB of an artifact whose name contains {@code
 * PART} has been sent, it writes {@code MARKER} and blocks the upload for good ({@code REGEX},
 * which {@code ChildKill} passes, is not used: the pause is a transfer's progress, not a log line).
 *
 * <pre>
 * RELEASE_DIR VARIANT REPOSITORY(id::url) USER PASSWORD LOCAL_REPO JOURNAL PART REGEX MARKER
 * </pre>
 */
public final class MavenCrashChild {

  private MavenCrashChild() {}

  public static void main(String[] args) throws Exception {
    PublishedRelease r = PublishFixtures.release(Path.of(args[0]), Integer.parseInt(args[1]));
    String id = args[2].substring(0, args[2].indexOf("::"));
    RepositorySystem system = MavenDestinationTest.system();
    DefaultRepositorySystemSession session =
        MavenDestinationTest.session(system, Path.of(args[5]), id, args[3], args[4]);
    String part = args[7];
    Path marker = Path.of(args[args.length - 1]);
    session.setTransferListener(
        new AbstractTransferListener() {
          @Override
          public void transferProgressed(TransferEvent event) {
            if (event.getRequestType() == TransferEvent.RequestType.PUT
                && event.getResource().getResourceName().contains(part)
                && event.getTransferredBytes() > 1 << 20) {
              ChildKill.pause(marker, event.getResource().getResourceName());
            }
          }
        });
    new MavenDestination(system, session, args[2], "io.example.rebuild", "demo")
        .publish(
            r,
            new FileJournal(Path.of(args[6]), r.manifestSha256()),
            new RecordingReleaseListener(new ArrayList<>()));
    System.out.println("child: finished without reaching the pause");
    System.exit(2);
  }
}
