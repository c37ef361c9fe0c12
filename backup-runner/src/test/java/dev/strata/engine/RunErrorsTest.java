package dev.strata.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.strata.engine.index.IndexFormatException;
import dev.strata.engine.report.RunError;
import dev.strata.engine.report.RunError.Cause;
import dev.strata.engine.store.LocalBlobStoreManager;
import dev.strata.engine.store.RetryPolicy;
import dev.strata.engine.store.RetryingBlobStoreManager;
import dev.strata.engine.store.StoreException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Causes come from what the engine throws, wrapped or not, and never from a message's wording. */
class RunErrorsTest {

  @TempDir Path tmp;

  @Test
  void everyStoreReasonHasACause() {
    Set<Cause> seen = EnumSet.noneOf(Cause.class);
    for (StoreException.Reason r : StoreException.Reason.values()) {
      seen.add(RunErrors.of(r));
    }
    assertThat(seen)
        .contains(
            Cause.STORE_UNREACHABLE,
            Cause.ACCESS_DENIED,
            Cause.INVALID_CREDENTIALS,
            Cause.UNTRUSTED_CERTIFICATE,
            Cause.BUCKET_MISSING,
            Cause.STORE_REJECTED,
            Cause.CORRUPT_DATA);
  }

  @Test
  void aStoreFailureKeepsItsReasonThroughRetriesAndWorkerPools() {
    StoreException denied =
        new StoreException(
            StoreException.Kind.PERMANENT,
            StoreException.Reason.ACCESS_DENIED,
            "put 'k' failed: access denied (wording that mentions an access key and credentials)",
            null);
    assertThat(
            RunErrors.causeOf(
                new IllegalStateException(new java.util.concurrent.ExecutionException(denied))))
        .isEqualTo(Cause.ACCESS_DENIED);

    // A transient failure retried until the deadline: the "gave up" wrapper keeps what the store
    // said.
    RetryingBlobStoreManager retrying =
        new RetryingBlobStoreManager(
            new DelegatingStore(new LocalBlobStoreManager(tmp)) {
              @Override
              public void checkAccess() {
                throw new StoreException(StoreException.Kind.TRANSIENT, "connection refused");
              }
            },
            RetryPolicy.defaults().withMaxAttempts(2).withDeadline(Duration.ofSeconds(1)));
    Throwable gaveUp = catchThrowable(retrying::checkAccess);
    assertThat(gaveUp).hasMessageContaining("gave up after");
    assertThat(RunErrors.causeOf(gaveUp)).isEqualTo(Cause.STORE_UNREACHABLE);
  }

  @Test
  void aRestoreIntoANonEmptyTargetIsNotEmpty() throws IOException {
    LocalBlobStoreManager store = new LocalBlobStoreManager(tmp.resolve("store"));
    Path source = Files.createDirectories(tmp.resolve("source"));
    Trees.write(source.resolve("a"), "a".getBytes());
    BackupResult backup =
        new BackupEngine(store, BackupOptions.defaults(), new Progress()).backup(source, "src");
    Path target = Files.createDirectories(tmp.resolve("target"));
    Trees.write(target.resolve("there-before"), "x".getBytes());

    Throwable refused =
        catchThrowable(
            () ->
                new RestoreEngine(store, RestoreOptions.of(RestoreMode.EMPTY), new Progress())
                    .restore(backup.index(), target));

    assertThat(refused)
        .isInstanceOf(TargetNotEmptyException.class)
        .hasMessageContaining("is not empty");
    assertThat(RunErrors.of(refused, refused.getMessage()))
        .isEqualTo(new RunError(refused.getMessage(), Cause.NOT_EMPTY));
  }

  @Test
  void engineExceptionsMapToTheirCauses() {
    assertThat(
            RunErrors.causeOf(
                new IntegrityException("file a: chunk 0 does not match its checksum")))
        .isEqualTo(Cause.CORRUPT_DATA);
    assertThat(RunErrors.causeOf(new IndexFormatException("not a Strata index")))
        .isEqualTo(Cause.CORRUPT_DATA);
    assertThat(RunErrors.causeOf(new SnapshotNotFoundException("snapshot x does not exist")))
        .isEqualTo(Cause.SNAPSHOT_MISSING);
    assertThat(RunErrors.causeOf(new FileChangedException("file a shrank while it was read")))
        .isEqualTo(Cause.FILE_CHANGED);
    assertThat(
            RunErrors.causeOf(new UncheckedIOException("cannot read a", new IOException("EACCES"))))
        .isEqualTo(Cause.VOLUME_ERROR);
    assertThat(
            RunErrors.causeOf(
                new IllegalArgumentException("--parallelism must be between 1 and 256")))
        .isEqualTo(Cause.USAGE);
    assertThat(RunErrors.causeOf(new NullPointerException())).isEqualTo(Cause.INTERNAL);
  }
}
