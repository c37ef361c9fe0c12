package dev.strata.cli;

import dev.strata.engine.IntegrityException;
import dev.strata.engine.SnapshotNotFoundException;
import dev.strata.engine.index.IndexFormatException;
import dev.strata.engine.store.StoreException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The `strata` command line. Exit codes: 0 success, 1 failure, 2 usage error. */
@Command(
    name = "strata",
    mixinStandardHelpOptions = true,
    scope = CommandLine.ScopeType.INHERIT,
    versionProvider = StrataCli.Version.class,
    description = "Incremental, parallel snapshots of local state to a directory, S3 or MinIO.",
    subcommands = {
      BackupCommand.class,
      RestoreCommand.class,
      SnapshotsCommand.class,
      ShowCommand.class,
      DiffCommand.class,
      VerifyCommand.class,
      ForgetCommand.class,
      GcCommand.class,
      InitCommand.class,
      KeyCommand.class,
      CommandLine.HelpCommand.class
    },
    footer = {
      "",
      "S3 credentials are read from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (with AWS_SESSION_TOKEN for",
      "temporary keys), or assumed with a web identity: AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE (see --role-arn).",
      "An encrypted store's key is read from --key-file, STRATA_KEY_FILE or STRATA_KEY.",
      "Run `strata <command> --help` for a command's options."
    })
public final class StrataCli implements Runnable {

  public static final int OK = 0;
  public static final int FAILED = 1;
  public static final int USAGE = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name a command: init, backup, restore, snapshots, show, diff, verify, forget, gc or key");
  }

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs a command line with the given streams; used by main and by tests. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(new StrataCli());
    cli.setOut(out);
    cli.setErr(err);
    cli.setExitCodeExceptionMapper(StrataCli::exitCode);
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          commandLine.getErr().println("strata: " + dev.strata.engine.Names.safe(message(e)));
          return exitCode(e);
        });
    return cli.execute(args);
  }

  static int exitCode(Throwable e) {
    return e instanceof UsageException || e instanceof CommandLine.ParameterException ? USAGE : FAILED;
  }

  /** One line that says what went wrong, and where possible what to do. */
  static String message(Throwable e) {
    if (e instanceof UsageException
        || e instanceof StoreException
        || e instanceof IntegrityException
        || e instanceof SnapshotNotFoundException
        || e instanceof IndexFormatException
        || e instanceof dev.strata.engine.format.KeyException
        || e instanceof dev.strata.engine.format.SealException
        || e instanceof IllegalArgumentException
        || e instanceof IllegalStateException) {
      return e.getMessage();
    }
    if (e instanceof UncheckedIOException u) {
      return u.getMessage();
    }
    return e.getClass().getSimpleName() + ": " + e.getMessage();
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = StrataCli.class.getPackage().getImplementationVersion();
      return new String[] {"strata " + (v == null ? "dev" : v)};
    }
  }
}
