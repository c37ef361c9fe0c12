package dev.strata.cli;

import dev.strata.build.BuildInfo;
import dev.strata.engine.IntegrityException;
import dev.strata.engine.SnapshotNotFoundException;
import dev.strata.engine.index.IndexFormatException;
import dev.strata.engine.store.StoreException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The `strata` command line. Exit codes: 0 success, 1 failure, 2 usage error. */
@Command(
    name = "strata",
    mixinStandardHelpOptions = true,
    scope = CommandLine.ScopeType.INHERIT,
    versionProvider = StrataCli.Version.class,
    description = "Incremental, parallel snapshots of local state to a directory, S3 or MinIO.",
    footer = {
      "",
      "The store's options default to STRATA_STORE, STRATA_ENDPOINT, STRATA_REGION, STRATA_PATH_STYLE, STRATA_CA_BUNDLE and"
          + " STRATA_RETRY_DEADLINE, then to a config file of name = value lines (STRATA_CONFIG, else"
          + " ~/.config/strata/config): store, endpoint, region, path-style, ca-bundle, retry-deadline, key-file,"
          + " access-key-id-file, secret-access-key-file.",
      "S3 credentials are read from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (with AWS_SESSION_TOKEN for temporary"
          + " keys) or from the files that STRATA_ACCESS_KEY_ID_FILE and STRATA_SECRET_ACCESS_KEY_FILE name, or assumed"
          + " with a web identity: AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE (see --role-arn).",
      "An encrypted store's key is read from --key-file, STRATA_KEY_FILE or STRATA_KEY.",
      "Run `strata <command> --help` for a command's options."
    })
public final class StrataCli implements Runnable {

  /**
   * The commands, by name, in the order help lists them. Not in the annotation: picocli would build
   * every command's model by reflection at each start, and a runner needs one.
   */
  static final Map<String, Class<?>> COMMANDS = commands();

  private static Map<String, Class<?>> commands() {
    Map<String, Class<?>> m = new java.util.LinkedHashMap<>();
    for (Class<?> c :
        List.of(
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
            LsCommand.class,
            DumpCommand.class,
            FindCommand.class,
            CompletionCommand.class,
            CommandLine.HelpCommand.class)) {
      m.put(c.getAnnotation(Command.class).name(), c);
    }
    return java.util.Collections.unmodifiableMap(m);
  }

  /** The command line of {@code app} with the commands {@code args} need. */
  static CommandLine commandLine(StrataCli app, String[] args) {
    CommandLine cli = new CommandLine(app);
    for (Class<?> c : commandsFor(args)) {
      cli.addSubcommand(c);
    }
    return cli;
  }

  /**
   * The commands a command line needs: the one it names, or all of them when it names none, names
   * one unknown, or asks for help or a completion script (which list them all).
   */
  static java.util.Collection<Class<?>> commandsFor(String[] args) {
    for (String a : args) {
      if (a.startsWith("-")) {
        continue;
      }
      Class<?> c = COMMANDS.get(a);
      return c == null || a.equals("help") || a.equals("completion")
          ? COMMANDS.values()
          : List.of(c);
    }
    return COMMANDS.values();
  }

  public static final int OK = 0;
  public static final int FAILED = 1;
  public static final int USAGE = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  private final Settings settings;
  private final OutputStream raw;

  StrataCli(Settings settings, OutputStream raw) {
    this.settings = settings;
    this.raw = raw;
  }

  /** The environment and config file this command line reads its defaults from. */
  Settings settings() {
    return settings;
  }

  /** Standard output as bytes, for commands that print a file's content (`dump`). */
  OutputStream raw() {
    return raw;
  }

  /** Whether standard output is the process's own and a terminal (no place for a tar archive). */
  boolean rawIsTerminal() {
    return raw == System.out && System.console() != null;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "name a command: " + String.join(", ", spec.subcommands().keySet()));
  }

  public static void main(String[] args) {
    System.setProperty(CliLogging.ACTIVE, "true");
    PrintStream stdout = System.out;
    System.exit(
        run(
            args,
            new PrintWriter(stdout, true),
            new PrintWriter(System.err, true),
            stdout,
            System.getenv()));
  }

  /** Runs a command line with the given streams and the process's environment; used by tests. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    return run(args, out, err, null, System.getenv());
  }

  /**
   * Runs a command line.
   *
   * @param raw standard output as bytes (null: bytes go to {@code out} as UTF-8 text)
   * @param env the environment: STRATA_* settings, the config file's location, credentials
   */
  public static int run(
      String[] args, PrintWriter out, PrintWriter err, OutputStream raw, Map<String, String> env) {
    Settings settings;
    try {
      settings = Settings.load(env);
    } catch (UsageException e) {
      err.println("strata: " + dev.strata.engine.Names.safe(e.getMessage()));
      return USAGE;
    }
    OutputStream bytes =
        raw != null
            ? raw
            : new OutputStream() {
              @Override
              public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
              }

              @Override
              public void write(byte[] b, int off, int len) {
                out.write(new String(b, off, len, java.nio.charset.StandardCharsets.UTF_8));
              }

              @Override
              public void flush() {
                out.flush();
              }
            };
    CommandLine cli = commandLine(new StrataCli(settings, bytes), args);
    cli.registerConverter(Path.class, StrataCli::path);
    cli.setOut(out);
    cli.setErr(err);
    // Descriptions wrap at the terminal's width (80 columns when it is unknown), between words.
    cli.setUsageHelpAutoWidth(true);
    cli.setExitCodeExceptionMapper(StrataCli::exitCode);
    cli.setParameterExceptionHandler(StrataCli::usageError);
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          commandLine
              .getErr()
              .println("strata: " + dev.strata.engine.Names.safe(cliTerms(message(e))));
          return exitCode(e);
        });
    return cli.execute(args);
  }

  /**
   * A path option's value. An empty one (`--target "$DIR"` with DIR unset) is refused: as a path it
   * names the current directory, which a restore with --mode sync would empty of what the snapshot
   * lacks.
   */
  static Path path(String value) {
    if (value.isBlank()) {
      throw new CommandLine.TypeConversionException(
          "an empty path names no file or directory (is a shell variable unset?): give a path, '.'"
              + " for the current directory");
    }
    return Path.of(value);
  }

  /**
   * A command line picocli cannot parse (an unknown option, a missing one, an argument too many):
   * one line that says what, picocli's suggestion when it has one, and where the command's options
   * are explained; not the whole help page, which buried the error.
   */
  static int usageError(CommandLine.ParameterException e, String[] args) {
    CommandLine c = e.getCommandLine();
    PrintWriter err = c.getErr();
    err.println("strata: " + dev.strata.engine.Names.safe(e.getMessage()));
    CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
    err.println("Run `" + c.getCommandSpec().qualifiedName() + " --help` for its options.");
    return USAGE;
  }

  static int exitCode(Throwable e) {
    return e instanceof UsageException || e instanceof CommandLine.ParameterException
        ? USAGE
        : FAILED;
  }

  /**
   * The store's errors are shared with the operator and name what its users fix (a SnapshotStore's
   * fields, its credentials Secret); at a shell they name the options and variables instead.
   */
  static final String[][] CLI_TERMS = {
    {"the credentials Secret", "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or their files)"},
    {"spec.credentials.webIdentity", "--role-arn and --web-identity-token-file"},
    {"spec.endpoint", "--endpoint"},
    {"spec.bucket", "the bucket of --store"},
    {"spec.prefix", "the prefix of --store"},
    {"spec.region", "--region"},
    {"spec.caBundle", "--ca-bundle"},
  };

  static String cliTerms(String message) {
    if (message == null) {
      return null;
    }
    String out = message;
    for (String[] t : CLI_TERMS) {
      out = out.replace(t[0], t[1]);
    }
    return out;
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
      return new String[] {
        "strata " + BuildInfo.describe() + ", Java " + Runtime.version().feature()
      };
    }
  }
}
