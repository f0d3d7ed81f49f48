package io.zerodown.cli;

import io.zerodown.api.ZerodownException;
import io.zerodown.postgres.watch.GuardRails;
import picocli.CommandLine;

import java.sql.Connection;
import java.util.concurrent.Callable;

@CommandLine.Command(name = "control", description = {"Steer a running apply from another terminal: pause, resume or abort its "
        + "backfills (checked between batches; an abort leaves a state that apply resumes)."})
final class ControlCommand implements Callable<Integer> {

    @CommandLine.ParentCommand
    Main main;

    @CommandLine.Mixin
    Database.UrlOption url = new Database.UrlOption();

    @CommandLine.Parameters(paramLabel = "ACTION", description = "pause, resume or abort")
    String action;

    @Override
    public Integer call() throws Exception {
        if (!action.equals("pause") && !action.equals("resume") && !action.equals("abort")) {
            throw new ZerodownException("unknown action '" + action + "': use pause, resume or abort");
        }
        try (Database db = Database.open(url, false, main.err); Connection c = db.connections.open()) {
            GuardRails.command(c, action);
        }
        main.out.println("sent " + action + " to the apply running on this database");
        return 0;
    }
}
