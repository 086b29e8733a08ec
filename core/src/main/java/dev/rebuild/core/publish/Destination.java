package dev.rebuild.core.publish;

import dev.rebuild.core.RebuildException;
import dev.rebuild.core.release.ReleaseListener;

/**
 * One place the committed files of a release are uploaded to: a GitHub release, a Maven repository,
 * an HTTP directory. A destination uploads what it lacks, skips a file it already holds with the
 * same bytes, and refuses a same-named file with other bytes unless told to replace it; it never
 * touches a file that is not one of the release's.
 */
public interface Destination {

  /** What {@code -Drebuild.publish} selects this destination by: {@code github}, {@code maven}. */
  String kind();

  /**
   * Names the destination in the log and in its publish record ({@code github:nsqio/nsq}); holds no
   * credential.
   */
  String id();

  /**
   * Uploads the release's files. The destination reports every file it now holds to the journal as
   * soon as it holds it, so that a re-run after a crash sends only the rest.
   *
   * @return what the destination holds after this run
   */
  PublishRecord publish(PublishedRelease release, Journal journal, ReleaseListener log)
      throws RebuildException;

  /** Where a destination keeps its progress: the tag directory's {@code publish/} record. */
  interface Journal {

    /** What an earlier run of this destination recorded for the same manifest, if anything. */
    java.util.Optional<PublishRecord> previous();

    /** Persists the record as it stands now (durably, before the next upload starts). */
    void save(PublishRecord record) throws RebuildException;
  }
}
