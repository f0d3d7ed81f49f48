package io.zerodown.cli;

import io.zerodown.api.InvalidConfigException;
import io.zerodown.api.InvalidTargetException;
import io.zerodown.api.UnreadableInputException;
import io.zerodown.api.ZerodownException;
import picocli.CommandLine;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/** Entry point of the {@code zerodown} command. Exit codes: 0 clean, 1 error findings, 2 bad usage or input. */
@CommandLine.Command(name = "zerodown", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Safe, zero-downtime schema changes for PostgreSQL, MySQL and MariaDB.",
        subcommands = {LintCommand.class, DemoCommand.class, PlanCommand.class, ApplyCommand.class, StatusCommand.class, VerifyCommand.class,
                RollbackCommand.class, StartCommand.class, CompleteCommand.class, VersionCommand.class, BaselineCommand.class, ControlCommand.class, RulesCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Where reports go; a PrintStream so reporters can write UTF-8 bytes directly. */
    PrintStream out;
    PrintStream err;

    public static void main(String[] args) {
        System.exit(run(args, utf8(FileDescriptor.out), utf8(FileDescriptor.err)));
    }

    /** Runs the command line with the given streams; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Main main = new Main();
        main.out = out;
        main.err = err;
        CommandLine cli = new CommandLine(main);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (ex instanceof UnreadableInputException || ex instanceof InvalidTargetException
                    || ex instanceof InvalidConfigException) {
                err.println("zerodown: " + ex.getMessage());
                return 2;
            }
            if (ex instanceof java.sql.SQLException sql) {
                err.println("zerodown: database error" + (sql.getSQLState() == null ? "" : " (SQLSTATE " + sql.getSQLState() + ")")
                        + ": " + sql.getMessage());
                return 2;
            }
            if (ex instanceof ZerodownException) {
                err.println("zerodown: " + ex.getMessage());
                return 2;
            }
            err.println("zerodown: internal error: " + ex);
            ex.printStackTrace(err);
            return 3;
        });
        cli.setParameterExceptionHandler((ex, args2) -> {
            err.println("zerodown: " + ex.getMessage());
            ex.getCommandLine().usage(err);
            return 2;
        });
        int code = cli.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static PrintStream utf8(FileDescriptor fd) {
        return new PrintStream(new FileOutputStream(fd), true, StandardCharsets.UTF_8);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"zerodown " + (v == null ? "dev" : v)};
        }
    }
}
